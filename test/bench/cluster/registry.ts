// The cluster's actor kinds plus the benchmark's own (driver, fan-out watcher, memory probe):
// handed to the Supervisor in place of actors/registry.ts.
import type { ActorFactory } from '../../../runtime/actor.ts'
import { actorKinds as clusterKinds } from '../../../actors/registry.ts'

type Loader = () => Promise<ActorFactory<any>>

export const actorKinds: Record<string, Loader> = {
  ...clusterKinds,
  'bench-driver': async () => (await import('./driver.ts')).create,
  'bench-watcher': async () => (await import('./watcher.ts')).create,
  'bench-probe': async () => (await import('./probe.ts')).create,
}
