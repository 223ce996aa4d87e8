// The MVCC store (etcd v3 semantics), pure: one revision counter, every key's versions kept
// until compaction, range at a revision, put/delete/txn as one revision, events for watches.
import { pack, unpack } from 'msgpackr'
import type { KeyValue, KvCompare, KvEvent, KvOp, KvOpResult } from '../../../protocols/kv.ts'
import { prefixEnd } from '../../../protocols/kv.ts'
import { KvStoreError, compacted, futureRev } from './errors.ts'
import { RequestLog } from './requests.ts'

interface Version {
  rev: number
  /** Position within the revision (txns write several keys at one revision). */
  sub: number
  create: number
  ver: number
  value: Uint8Array
  deleted: boolean
}

export interface KeyRange {
  key: string
  end?: string
  prefix?: boolean
}

export interface RangeQuery extends KeyRange {
  limit?: number
  revision?: number
  countOnly?: boolean
}

export interface RangeResult {
  kvs: KeyValue[]
  count: number
  more: boolean
}

/** A replicated write, as carried in a Raft entry. */
export type KvCommand =
  | { op: 'put'; key: string; value: Uint8Array; prevKv?: boolean }
  | { op: 'delete'; key: string; end?: string; prefix?: boolean; prevKv?: boolean }
  | { op: 'txn'; compare: KvCompare[]; success: KvOp[]; failure: KvOp[] }
  | { op: 'compact'; revision: number }

export type KvCommandResult =
  | { op: 'put'; prevKv?: KeyValue }
  | { op: 'delete'; deleted: number; prevKvs?: KeyValue[] }
  | { op: 'txn'; succeeded: boolean; responses: KvOpResult[] }
  | { op: 'compact' }
  | { op: 'error'; error: KvStoreError }

export interface ApplyOutcome {
  result: KvCommandResult
  /** Events of this command at `revision`, in order (empty if nothing changed). */
  events: KvEvent[]
  revision: number
  /** The request id was applied before: `result` and `revision` are that application's. */
  duplicate?: boolean
}

export function rangeEnd(r: KeyRange): string | undefined {
  if (r.prefix) return r.key === '' ? '' : prefixEnd(r.key)
  return r.end
}

/** Does `key` fall in the range? end undefined: exactly key; '' or '\0': every key >= key. */
export function inRange(key: string, r: KeyRange): boolean {
  const end = rangeEnd(r)
  if (end === undefined) return key === r.key
  if (key < r.key) return false
  return end === '' || end === '\0' || key < end
}

/** Snapshot parts are cut at about this many bytes of values (a few ms of encoding each). */
export const SNAPSHOT_PART_BYTES = 1 << 20
/** Bytes counted per version besides its value (key, revisions, msgpack framing), roughly. */
const VERSION_OVERHEAD = 64

/** Run a part-at-a-time generator (encodeParts, decodeParts) through without pausing. */
function runToEnd<T>(it: Generator<void, T>): T {
  for (;;) {
    const r = it.next()
    if (r.done) return r.value
  }
}

export class MvccStore {
  revision = 0
  compactRevision = 0
  /** Automatic compaction keeps this many revisions of history (0 = never). */
  historyRevisions: number
  private keys: string[] = []
  private readonly index = new Map<string, Version[]>()
  /** Writes applied with a request id, for at-most-once retries. */
  requests = new RequestLog()

  constructor(historyRevisions = 0) {
    this.historyRevisions = historyRevisions
  }

  range(q: RangeQuery): RangeResult {
    const at = q.revision && q.revision > 0 ? q.revision : this.revision
    if (at > this.revision) throw futureRev(at, this.revision)
    if (at < this.compactRevision) throw compacted(at, this.compactRevision)
    const kvs: KeyValue[] = []
    let count = 0
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity
    for (const key of this.keysIn(q)) {
      const v = this.versionAt(key, at)
      if (!v || v.deleted) continue
      count++
      if (!q.countOnly && kvs.length < limit) kvs.push(toKv(key, v))
    }
    return { kvs: q.countOnly ? [] : kvs, count, more: !q.countOnly && count > kvs.length }
  }

  get(key: string): KeyValue | undefined {
    const v = this.latest(key)
    return v && !v.deleted ? toKv(key, v) : undefined
  }

  /**
   * Apply a write. With a `requestId` seen before, nothing is applied and the first outcome is
   * returned (`duplicate`); a write that changed the store is remembered under its id.
   */
  apply(cmd: KvCommand, requestId?: string): ApplyOutcome {
    if (requestId !== undefined) {
      const seen = this.requests.get(requestId)
      if (seen) return { result: seen.result, events: [], revision: seen.revision, duplicate: true }
    }
    const out = this.applyOnce(cmd)
    if (requestId !== undefined && (out.events.length > 0 || out.result.op === 'compact')) {
      this.requests.add(requestId, { revision: out.revision, result: out.result })
    }
    return out
  }

  private applyOnce(cmd: KvCommand): ApplyOutcome {
    const w = new Writer(this, this.revision + 1)
    let result: KvCommandResult
    try {
      switch (cmd.op) {
        case 'put': result = { op: 'put', ...w.put(cmd.key, cmd.value, cmd.prevKv) }; break
        case 'delete': result = { op: 'delete', ...w.del(cmd, cmd.prevKv) }; break
        case 'txn': {
          const ok = cmd.compare.every((c) => this.compare(c))
          const ops = ok ? cmd.success : cmd.failure
          const responses: KvOpResult[] = ops.map((o) => w.op(o))
          result = { op: 'txn', succeeded: ok, responses }
          break
        }
        case 'compact': this.compact(cmd.revision); result = { op: 'compact' }; break
        default: {
          const never: never = cmd
          throw new KvStoreError('KV_BAD_REQUEST', `unknown command ${JSON.stringify(never)}`)
        }
      }
    } catch (err) {
      if (err instanceof KvStoreError) return { result: { op: 'error', error: err }, events: [], revision: this.revision }
      throw err
    }
    if (w.events.length > 0) {
      this.revision = w.rev
      this.autoCompact()
    }
    return { result, events: w.events, revision: this.revision }
  }

  compact(rev: number): void {
    if (rev > this.revision) throw futureRev(rev, this.revision)
    if (rev <= this.compactRevision) throw compacted(rev, this.compactRevision)
    const keep: string[] = []
    for (const key of this.keys) {
      const vs = this.index.get(key) as Version[]
      // keep the newest version <= rev (unless it is a deletion) and everything after it
      let i = vs.length - 1
      while (i >= 0 && vs[i].rev > rev) i--
      let from = i
      if (i >= 0 && vs[i].deleted) from = i + 1
      const rest = from < 0 ? vs : vs.slice(from)
      if (rest.length === 0) this.index.delete(key)
      else {
        this.index.set(key, rest)
        keep.push(key)
      }
    }
    this.keys = keep
    this.compactRevision = rev
  }

  /** Every event with revision >= from in the range, in revision order (watch catch-up). */
  eventsSince(from: number, r: KeyRange, prevKv: boolean): KvEvent[] {
    if (from <= this.compactRevision) throw compacted(from, this.compactRevision)
    const out: Array<{ rev: number; sub: number; ev: KvEvent }> = []
    for (const key of this.keysIn(r)) {
      const vs = this.index.get(key) as Version[]
      for (let i = vs.length - 1; i >= 0 && vs[i].rev >= from; i--) {
        out.push({ rev: vs[i].rev, sub: vs[i].sub, ev: toEvent(key, vs[i], prevKv ? vs[i - 1] : undefined) })
      }
    }
    out.sort((a, b) => a.rev - b.rev || a.sub - b.sub)
    return out.map((x) => x.ev)
  }

  /** The whole store (snapshot data), at once. */
  encode(): Uint8Array {
    return runToEnd(this.encodeParts())
  }

  /**
   * The whole store in parts of about SNAPSHOT_PART_BYTES: the caller may let other work run
   * between them (a snapshot of tens of MB would hold a thread for most of a second), as long
   * as nothing is applied meanwhile. Returns the snapshot data.
   */
  *encodeParts(): Generator<void, Uint8Array> {
    const head = { revision: this.revision, compactRevision: this.compactRevision, requests: this.requests.encode() }
    const parts: Uint8Array[] = []
    let batch: Array<[string, Version[]]> = []
    let bytes = 0
    for (const k of this.keys) {
      const vs = this.index.get(k) as Version[]
      batch.push([k, vs])
      for (const v of vs) bytes += v.value.length + VERSION_OVERHEAD
      if (bytes >= SNAPSHOT_PART_BYTES) {
        parts.push(pack(batch))
        batch = []
        bytes = 0
        yield
      }
    }
    if (batch.length > 0) parts.push(pack(batch))
    return pack({ ...head, parts })
  }

  static decode(bytes: Uint8Array, historyRevisions = 0): MvccStore {
    return runToEnd(MvccStore.decodeParts(bytes, historyRevisions))
  }

  /** decode, a part at a time (see encodeParts). */
  static *decodeParts(bytes: Uint8Array, historyRevisions = 0): Generator<void, MvccStore> {
    const o = unpack(bytes) as { revision: number; compactRevision: number; keys?: Array<[string, Version[]]>; parts?: Uint8Array[]; requests?: Parameters<typeof RequestLog.decode>[0] }
    const s = new MvccStore(historyRevisions)
    s.revision = o.revision
    s.compactRevision = o.compactRevision
    s.requests = RequestLog.decode(o.requests)
    const add = (rows: Array<[string, Version[]]>) => {
      for (const [k, vs] of rows) {
        s.keys.push(k)
        s.index.set(k, vs.map((v) => ({ ...v, value: new Uint8Array(v.value) })))
      }
    }
    // Snapshots written before the store was encoded in parts hold every key in `keys`.
    if (o.keys) add(o.keys)
    for (const part of o.parts ?? []) {
      add(unpack(part) as Array<[string, Version[]]>)
      yield
    }
    return s
  }

  // ---- internals (used by Writer) ----

  latest(key: string): Version | undefined {
    const vs = this.index.get(key)
    return vs?.[vs.length - 1]
  }

  record(key: string, v: Version): void {
    let vs = this.index.get(key)
    if (!vs) {
      vs = []
      this.index.set(key, vs)
      this.keys.splice(lowerBound(this.keys, key), 0, key)
    }
    vs.push(v)
  }

  keysIn(r: KeyRange): string[] {
    const end = rangeEnd(r)
    if (end === undefined) return this.index.has(r.key) ? [r.key] : []
    const lo = lowerBound(this.keys, r.key)
    const hi = end === '' || end === '\0' ? this.keys.length : lowerBound(this.keys, end)
    return this.keys.slice(lo, Math.max(lo, hi))
  }

  private versionAt(key: string, rev: number): Version | undefined {
    const vs = this.index.get(key) as Version[]
    for (let i = vs.length - 1; i >= 0; i--) if (vs[i].rev <= rev) return vs[i]
    return undefined
  }

  private compare(c: KvCompare): boolean {
    const v = this.latest(c.key)
    const live = v && !v.deleted ? v : undefined
    let a: number | Uint8Array
    switch (c.target) {
      case 'mod': a = live ? live.rev : 0; break
      case 'create': a = live ? live.create : 0; break
      case 'version': a = live ? live.ver : 0; break
      case 'value':
        if (!live) return false
        a = live.value
        break
    }
    const cmp = typeof a === 'number' ? a - Number(c.value) : compareBytes(a, c.value as Uint8Array)
    switch (c.result) {
      case '=': return cmp === 0
      case '!=': return cmp !== 0
      case '<': return cmp < 0
      case '>': return cmp > 0
    }
  }

  private autoCompact(): void {
    const h = this.historyRevisions
    if (h <= 0) return
    const slack = Math.max(64, Math.floor(h / 4))
    if (this.revision - this.compactRevision > h + slack) this.compact(this.revision - h)
  }
}

/** Writes of one command, all at revision `rev`. */
class Writer {
  events: KvEvent[] = []
  private sub = 0
  constructor(private readonly s: MvccStore, readonly rev: number) {}

  put(key: string, value: Uint8Array, wantPrev?: boolean): { prevKv?: KeyValue } {
    const prev = this.s.latest(key)
    const live = prev && !prev.deleted ? prev : undefined
    const v: Version = { rev: this.rev, sub: this.sub++, create: live ? live.create : this.rev, ver: live ? live.ver + 1 : 1, value, deleted: false }
    this.s.record(key, v)
    this.events.push(toEvent(key, v, live))
    return wantPrev && live ? { prevKv: toKv(key, live) } : {}
  }

  del(r: KeyRange, wantPrev?: boolean): { deleted: number; prevKvs?: KeyValue[] } {
    const prevKvs: KeyValue[] = []
    for (const key of this.s.keysIn(r)) {
      const prev = this.s.latest(key)
      if (!prev || prev.deleted) continue
      const v: Version = { rev: this.rev, sub: this.sub++, create: 0, ver: 0, value: new Uint8Array(0), deleted: true }
      this.s.record(key, v)
      this.events.push(toEvent(key, v, prev))
      prevKvs.push(toKv(key, prev))
    }
    return wantPrev ? { deleted: prevKvs.length, prevKvs } : { deleted: prevKvs.length }
  }

  op(o: KvOp): KvOpResult {
    switch (o.op) {
      case 'put': return { op: 'put', ...this.put(o.key, o.value, o.prevKv) }
      case 'delete': return { op: 'delete', ...this.del(o, o.prevKv) }
      case 'range': {
        const kvs: KeyValue[] = []
        let count = 0
        const limit = o.limit && o.limit > 0 ? o.limit : Infinity
        for (const key of this.s.keysIn(o)) {
          const v = this.s.latest(key)
          if (!v || v.deleted) continue
          count++
          if (kvs.length < limit) kvs.push(toKv(key, v))
        }
        return { op: 'range', kvs, count, more: count > kvs.length }
      }
    }
  }
}

function toKv(key: string, v: Version): KeyValue {
  return { key, value: v.value, createRevision: v.create, modRevision: v.rev, version: v.ver }
}

function toEvent(key: string, v: Version, prev: Version | undefined): KvEvent {
  const ev: KvEvent = v.deleted
    ? { type: 'delete', kv: { key, value: new Uint8Array(0), createRevision: 0, modRevision: v.rev, version: 0 } }
    : { type: 'put', kv: toKv(key, v) }
  if (prev && !prev.deleted) ev.prevKv = toKv(key, prev)
  return ev
}

function lowerBound(a: string[], k: string): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] < k) lo = mid + 1
    else hi = mid
  }
  return lo
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}
