// Messages of the etcd replica besides Raft and KV: its timers, forwarding between replicas of a
// shard, and the fault injector's crash points.
import type { KvRequest } from '../../protocols/kv.ts'

/** Places in the replica's Ready loop where an armed crash point throws. */
export type CrashPoint = 'before-wal-append' | 'after-wal-append' | 'after-fsync' | 'before-apply' | 'after-apply' | 'before-send'

export const crashPoints: readonly CrashPoint[] = ['before-wal-append', 'after-wal-append', 'after-fsync', 'before-apply', 'after-apply', 'before-send']

export interface EtcdTick {
  type: 'etcd.tick'
}

/** A write proposed by this replica was not applied in time: answer KV_TIMEOUT. */
export interface EtcdWriteTimeout {
  type: 'etcd.write-timeout'
  id: string
}

export interface EtcdProgressTick {
  type: 'etcd.progress-tick'
}

/** A follower hands a write or linearizable read to the leader (replica to replica). */
export interface EtcdForward {
  type: 'etcd.forward'
  req: KvRequest
}

/** Fault injection: throw (crash the replica) the `hits`-th time (default 1st) it reaches `point`. */
export interface EtcdCrashpointArm {
  type: 'etcd.crashpoint.arm'
  point: CrashPoint
  hits?: number
}

export type EtcdInternal = EtcdTick | EtcdWriteTimeout | EtcdProgressTick | EtcdForward | EtcdCrashpointArm
