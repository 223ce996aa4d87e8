// The Raft protocol between replicas of one etcd shard (etcd-<shard>-<i>), plus the persistent
// records a replica keeps. Messages are tells; every message carries the sender's term.
// `data` of an entry is opaque to Raft (the replica encodes a KV command); an entry without data
// is the empty entry a new leader appends to commit its term.

export interface Entry {
  term: number
  index: number
  data?: Uint8Array
}

/** What must be durable before any message of the same Ready is sent. */
export interface HardState {
  term: number
  /** Who this replica voted for in `term` ('' = nobody). */
  vote: string
  commit: number
}

export interface SnapshotMeta {
  index: number
  term: number
}

export interface Snapshot {
  meta: SnapshotMeta
  /** The state machine's state at meta.index (an MVCC store image). */
  data: Uint8Array
}

interface Base {
  term: number
  from: string
  to: string
}

/** RequestVote; `pre` marks a pre-vote (no term change), `transfer` a leader-transfer campaign. */
export interface RaftVote extends Base {
  type: 'raft.vote'
  pre: boolean
  transfer?: boolean
  lastIndex: number
  lastTerm: number
}

export interface RaftVoteReply extends Base {
  type: 'raft.vote.reply'
  pre: boolean
  granted: boolean
}

export interface RaftAppend extends Base {
  type: 'raft.append'
  prevIndex: number
  prevTerm: number
  entries: Entry[]
  commit: number
}

/** success: `index` is the follower's last matching index; reject: `index` is a hint for next. */
export interface RaftAppendReply extends Base {
  type: 'raft.append.reply'
  success: boolean
  index: number
  /** On reject: the prevIndex of the append that did not match (stale rejects are ignored). */
  rejected?: number
}

/** Leader liveness and commit propagation; `read` carries the ReadIndex round in flight. */
export interface RaftHeartbeat extends Base {
  type: 'raft.heartbeat'
  commit: number
  read?: number
}

export interface RaftHeartbeatReply extends Base {
  type: 'raft.heartbeat.reply'
  read?: number
  /** The follower's last log index, so the leader can resume a stalled follower. */
  lastIndex: number
}

export interface RaftInstallSnapshot extends Base {
  type: 'raft.snapshot'
  snapshot: Snapshot
}

/** Leader transfer: the target campaigns at once, skipping pre-vote and the leader lease. */
export interface RaftTimeoutNow extends Base {
  type: 'raft.timeout-now'
}

/**
 * A follower asks its leader for a read index. One request stands for every linearizable read
 * the follower had waiting when it sent it; `ctx` identifies the request.
 */
export interface RaftReadIndex extends Base {
  type: 'raft.read-index'
  ctx: number
}

/** The leader's commit index at the start of a ReadIndex round that a quorum confirmed. */
export interface RaftReadIndexReply extends Base {
  type: 'raft.read-index.reply'
  ctx: number
  index: number
}

export type RaftMessage =
  | RaftVote
  | RaftVoteReply
  | RaftAppend
  | RaftAppendReply
  | RaftHeartbeat
  | RaftHeartbeatReply
  | RaftInstallSnapshot
  | RaftTimeoutNow
  | RaftReadIndex
  | RaftReadIndexReply

export const raftMessageTypes: ReadonlySet<string> = new Set([
  'raft.vote', 'raft.vote.reply', 'raft.append', 'raft.append.reply',
  'raft.heartbeat', 'raft.heartbeat.reply', 'raft.snapshot', 'raft.timeout-now',
  'raft.read-index', 'raft.read-index.reply',
])

export function isRaftMessage(m: { type: string }): m is RaftMessage {
  return raftMessageTypes.has(m.type)
}
