// etcd-<shard>-<i>: one replica of a Raft-replicated MVCC shard. See replica.ts.
import type { ActorFactory } from '../../runtime/actor.ts'
import type { EtcdArgs } from '../args.ts'
import { Replica } from './replica.ts'

export const create: ActorFactory<EtcdArgs> = (ctx, args) => {
  const r = new Replica(ctx, args)
  return {
    start: () => r.start(),
    receive: (msg, meta) => r.receive(msg, meta),
    stop: () => r.stop(),
  }
}
