// Actor kinds whose module takes long to load, blocking the thread as a tsx compile under load
// does (start-up grace of the hang detector).
import type { ActorFactory } from '../../../runtime/actor.ts'
import { actorKinds as base } from '../../fixtures/runtime/registry.ts'

function blockFor(ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) {
    // busy: no heartbeat can be sent meanwhile
  }
}

export const actorKinds: Record<string, () => Promise<ActorFactory<any>>> = {
  ...base,
  /** Loads in 1.5 s: three times the test plans' hang timeout. */
  slowload: async () => {
    blockFor(1500)
    return base.echo!()
  },
  /** Never finishes loading within any test's patience. */
  neverload: async () => {
    blockFor(120_000)
    return base.echo!()
  },
}
