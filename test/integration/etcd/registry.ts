// Actor kinds for the etcd integration tests on real worker threads.
import type { ActorFactory } from '../../../runtime/actor.ts'

export const actorKinds: Record<string, () => Promise<ActorFactory<any>>> = {
  etcd: async () => (await import('../../../actors/etcd/actor.ts')).create,
}
