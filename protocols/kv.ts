// The KV protocol between API servers and etcd replicas (etcd v3 semantics).
// Requests are sent with ctx.ask; every request gets either its *Reply or a KvError.
// Keys are strings ('/registry/pods/default/web-1'); values are opaque bytes.
//
// Any replica of a shard serves any request. A follower forwards writes to its leader and relays
// the answer (sending a write again to the next leader if the leader changes meanwhile); for a
// linearizable read it asks the leader for a read index and serves the read itself once it has
// applied that index. KV_NOT_LEADER (with `leader` set when known) and KV_NO_LEADER (no known
// leader: election in progress) mean the request was not carried out: retry after a short wait
// or at another replica. KV_TIMEOUT on a write means the outcome is unknown (it may still be
// applied). A write with a `requestId` is applied at most once per id: sending it again with the
// same id, to any replica, after a timeout or a lost answer, is safe and gets the answer of its
// one application (the shard remembers the ids of its last 50,000 such writes). Serializable
// reads and watches are served from the replica's own applied state. A replica that stops gracefully ends its
// watches with kv.watch.canceled; one that crashes just goes silent, so a watcher that asked for
// progressNotify (sent every second) re-creates its watch elsewhere after a few silent seconds.

export interface KeyValue {
  key: string
  value: Uint8Array
  createRevision: number
  modRevision: number
  /** Number of puts since creation (1 after create). */
  version: number
}

export interface KvHeader {
  /** The shard's current revision when the request was served. */
  revision: number
  /** Raft term and the serving replica, for diagnostics. */
  raftTerm: number
  member: string
}

/** The first key after every key starting with `prefix` ('' = no upper bound). */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i)
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1)
  }
  return ''
}

/** Range over [key, end); `prefix: true` means every key starting with `key`. */
export interface KvRange {
  type: 'kv.range'
  key: string
  end?: string
  prefix?: boolean
  limit?: number
  /** Read at this revision (0 or absent: latest). Below the compacted revision -> KV_COMPACTED. */
  revision?: number
  /** Serve from this replica without a linearizable read barrier. */
  serializable?: boolean
  countOnly?: boolean
}

export interface KvRangeReply {
  type: 'kv.range.reply'
  header: KvHeader
  kvs: KeyValue[]
  count: number
  more: boolean
}

/** Makes a write safe to retry: applied at most once per id (see the top of this file). */
export interface KvWriteId {
  requestId?: string
}

export interface KvPut extends KvWriteId {
  type: 'kv.put'
  key: string
  value: Uint8Array
  prevKv?: boolean
}

export interface KvPutReply {
  type: 'kv.put.reply'
  header: KvHeader
  prevKv?: KeyValue
}

export interface KvDelete extends KvWriteId {
  type: 'kv.delete'
  key: string
  end?: string
  prefix?: boolean
  prevKv?: boolean
}

export interface KvDeleteReply {
  type: 'kv.delete.reply'
  header: KvHeader
  deleted: number
  prevKvs?: KeyValue[]
}

export interface KvCompare {
  key: string
  target: 'mod' | 'create' | 'version' | 'value'
  result: '=' | '!=' | '<' | '>'
  /** A revision/version number, or bytes for target 'value'. */
  value: number | Uint8Array
}

export type KvOp =
  | { op: 'put'; key: string; value: Uint8Array; prevKv?: boolean }
  | { op: 'delete'; key: string; end?: string; prefix?: boolean; prevKv?: boolean }
  | { op: 'range'; key: string; end?: string; prefix?: boolean; limit?: number }

export type KvOpResult =
  | { op: 'put'; prevKv?: KeyValue }
  | { op: 'delete'; deleted: number; prevKvs?: KeyValue[] }
  | { op: 'range'; kvs: KeyValue[]; count: number; more: boolean }

/** Atomic: if every compare holds, run `success`, else `failure`. One revision for all writes. */
export interface KvTxn extends KvWriteId {
  type: 'kv.txn'
  compare: KvCompare[]
  success: KvOp[]
  failure: KvOp[]
}

export interface KvTxnReply {
  type: 'kv.txn.reply'
  header: KvHeader
  succeeded: boolean
  responses: KvOpResult[]
}

export interface KvCompact extends KvWriteId {
  type: 'kv.compact'
  revision: number
}

export interface KvCompactReply {
  type: 'kv.compact.reply'
  header: KvHeader
}

/**
 * Open a watch. The replica answers with KvWatchCreated (or KvError), then sends KvWatchEvents
 * as tells to the watcher, in revision order, with no gap. `watchId` is chosen by the watcher and
 * unique per watcher. startRevision 0 = from the next revision.
 */
export interface KvWatchCreate {
  type: 'kv.watch.create'
  watchId: string
  key: string
  end?: string
  prefix?: boolean
  startRevision?: number
  prevKv?: boolean
  /** Ask for periodic KvWatchEvents with no events, carrying the current revision. */
  progressNotify?: boolean
}

export interface KvWatchCreated {
  type: 'kv.watch.created'
  watchId: string
  header: KvHeader
}

export interface KvWatchCancel {
  type: 'kv.watch.cancel'
  watchId: string
}

export interface KvEvent {
  type: 'put' | 'delete'
  /** For delete: key with modRevision = the deletion revision and an empty value. */
  kv: KeyValue
  prevKv?: KeyValue
}

export interface KvWatchEvents {
  type: 'kv.watch.events'
  watchId: string
  /** Revision this batch brings the watcher up to (progress notifications have no events). */
  revision: number
  events: KvEvent[]
}

/** The replica ended a watch (compaction, leadership loss, shutdown); the watcher re-creates it. */
export interface KvWatchCanceled {
  type: 'kv.watch.canceled'
  watchId: string
  reason: string
  compactRevision?: number
}

export type KvErrorCode =
  | 'KV_COMPACTED'
  | 'KV_FUTURE_REV'
  | 'KV_NOT_LEADER'
  | 'KV_NO_LEADER'
  | 'KV_TIMEOUT'
  | 'KV_BAD_REQUEST'
  | 'KV_DISK_FAILED'
  | 'KV_STOPPING'

export interface KvError {
  type: 'kv.error'
  code: KvErrorCode
  message: string
  /** For KV_NOT_LEADER: where the leader is believed to be. */
  leader?: string
  compactRevision?: number
}

export type KvRequest = KvRange | KvPut | KvDelete | KvTxn | KvCompact | KvWatchCreate | KvWatchCancel
export type KvReply =
  | KvRangeReply | KvPutReply | KvDeleteReply | KvTxnReply | KvCompactReply | KvWatchCreated | KvError
export type KvWatchMessage = KvWatchEvents | KvWatchCanceled
