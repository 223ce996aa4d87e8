// An in-memory etcd for tests: one shared MVCC store per shard, served by N replica actors that
// speak protocols/kv.ts (revisions, txn compares, watch from a revision, compaction). Every
// replica answers (a healthy Raft group); crashing one drops its watches, as a broken stream would.
import type { ActorFactory, Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import type { Simulation } from '../../runtime/sim/simulator.ts'
import type {
  KeyValue, KvCompare, KvError, KvEvent, KvHeader, KvOp, KvOpResult, KvRequest, KvWatchCreate,
} from '../../protocols/kv.ts'

interface Watch {
  owner: string
  watcher: string
  watchId: string
  key: string
  end?: string
  prefix?: boolean
  prevKv: boolean
  /** Next revision this watch must deliver. */
  next: number
  progressNotify: boolean
}

export interface HistoryEntry {
  revision: number
  event: KvEvent
}

function inRange(k: string, key: string, end: string | undefined, prefix: boolean | undefined): boolean {
  if (prefix) return k.startsWith(key)
  if (end === undefined) return k === key
  if (end === '\0') return k >= key
  return k >= key && k < end
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** The shard's MVCC state, shared by its replica actors. */
export class FakeEtcdStore {
  revision = 1
  compacted = 0
  readonly history: HistoryEntry[] = []
  private readonly live = new Map<string, KeyValue>()
  readonly watches = new Map<string, Watch>()
  private readonly senders = new Map<string, (to: string, msg: Message) => void>()
  constructor(readonly shard: string) {}

  attach(replica: string, send: (to: string, msg: Message) => void): void {
    this.senders.set(replica, send)
    for (const [id, w] of this.watches) if (w.owner === replica) this.watches.delete(id)
  }

  header(member: string): KvHeader {
    return { revision: this.revision, raftTerm: 1, member }
  }

  /** Keys at a revision (latest when 0/undefined), rebuilt from history for past revisions. */
  rangeAt(key: string, end: string | undefined, prefix: boolean | undefined, rev: number | undefined): KeyValue[] {
    let src: Iterable<KeyValue>
    if (!rev || rev >= this.revision) src = this.live.values()
    else {
      const m = new Map<string, KeyValue>()
      for (const h of this.history) {
        if (h.revision > rev) break
        if (h.event.type === 'put') m.set(h.event.kv.key, h.event.kv)
        else m.delete(h.event.kv.key)
      }
      src = m.values()
    }
    return [...src].filter((kv) => inRange(kv.key, key, end, prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  private compare(c: KvCompare): boolean {
    const kv = this.live.get(c.key)
    let d: number
    if (c.target === 'value') {
      if (!kv) return false
      d = cmpBytes(kv.value, c.value as Uint8Array)
    } else {
      const have = !kv ? 0 : c.target === 'mod' ? kv.modRevision : c.target === 'create' ? kv.createRevision : kv.version
      d = have - (c.value as number)
    }
    switch (c.result) {
      case '=': return d === 0
      case '!=': return d !== 0
      case '<': return d < 0
      case '>': return d > 0
    }
  }

  /** Apply ops at one new revision (if any op writes). */
  private apply(ops: KvOp[]): KvOpResult[] {
    const rev = this.revision + 1
    const events: KvEvent[] = []
    const out: KvOpResult[] = []
    for (const op of ops) {
      if (op.op === 'range') {
        const kvs = this.rangeAt(op.key, op.end, op.prefix, 0)
        const lim = op.limit && op.limit > 0 ? kvs.slice(0, op.limit) : kvs
        out.push({ op: 'range', kvs: lim, count: kvs.length, more: lim.length < kvs.length })
      } else if (op.op === 'put') {
        const prev = this.live.get(op.key)
        const kv: KeyValue = { key: op.key, value: op.value, createRevision: prev ? prev.createRevision : rev, modRevision: rev, version: prev ? prev.version + 1 : 1 }
        this.live.set(op.key, kv)
        events.push(prev ? { type: 'put', kv, prevKv: prev } : { type: 'put', kv })
        out.push(op.prevKv && prev ? { op: 'put', prevKv: prev } : { op: 'put' })
      } else {
        const gone = this.rangeAt(op.key, op.end, op.prefix, 0)
        for (const p of gone) {
          this.live.delete(p.key)
          events.push({ type: 'delete', kv: { key: p.key, value: new Uint8Array(0), createRevision: 0, modRevision: rev, version: 0 }, prevKv: p })
        }
        out.push(op.prevKv ? { op: 'delete', deleted: gone.length, prevKvs: gone } : { op: 'delete', deleted: gone.length })
      }
    }
    if (events.length > 0) {
      this.revision = rev
      for (const e of events) this.history.push({ revision: rev, event: e })
      this.pump()
    }
    return out
  }

  /** Send every watch the events it has not seen yet. */
  pump(): void {
    for (const w of this.watches.values()) {
      const send = this.senders.get(w.owner)
      if (!send) continue
      const evs: KvEvent[] = []
      for (const h of this.historyFrom(w.next)) {
        if (!inRange(h.event.kv.key, w.key, w.end, w.prefix)) continue
        evs.push(w.prevKv ? h.event : { type: h.event.type, kv: h.event.kv })
      }
      if (w.next <= this.revision) {
        w.next = this.revision + 1
        if (evs.length > 0) send(w.watcher, { type: 'kv.watch.events', watchId: w.watchId, revision: this.revision, events: evs } as Message)
      }
    }
  }

  private historyFrom(rev: number): HistoryEntry[] {
    // history is sorted by revision; binary search the first entry >= rev
    let lo = 0
    let hi = this.history.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.history[mid]!.revision < rev) lo = mid + 1
      else hi = mid
    }
    return this.history.slice(lo)
  }

  compact(rev: number): void {
    if (rev <= this.compacted) return
    this.compacted = Math.min(rev, this.revision)
    // Keep the state as of the compacted revision (as puts) and every entry after it.
    const base = new Map<string, HistoryEntry>()
    let i = 0
    for (; i < this.history.length && this.history[i]!.revision <= this.compacted; i++) {
      const h = this.history[i]!
      if (h.event.type === 'put') base.set(h.event.kv.key, h)
      else base.delete(h.event.kv.key)
    }
    const keep = [...base.values()].sort((a, b) => a.revision - b.revision)
    this.history.splice(0, i, ...keep)
    for (const [id, w] of this.watches) {
      if (w.next <= this.compacted) {
        this.watches.delete(id)
        this.senders.get(w.owner)?.(w.watcher, { type: 'kv.watch.canceled', watchId: w.watchId, reason: 'compacted', compactRevision: this.compacted } as Message)
      }
    }
  }

  handle(member: string, from: string, req: KvRequest): Message {
    const err = (code: KvError['code'], message: string, extra: Partial<KvError> = {}): KvError => ({ type: 'kv.error', code, message, ...extra })
    switch (req.type) {
      case 'kv.range': {
        if (req.revision && req.revision > this.revision) return err('KV_FUTURE_REV', 'required revision is a future revision')
        if (req.revision && req.revision <= this.compacted) return err('KV_COMPACTED', 'required revision has been compacted', { compactRevision: this.compacted })
        const kvs = this.rangeAt(req.key, req.end, req.prefix, req.revision)
        const lim = req.limit && req.limit > 0 ? kvs.slice(0, req.limit) : kvs
        return { type: 'kv.range.reply', header: this.header(member), kvs: req.countOnly ? [] : lim, count: kvs.length, more: lim.length < kvs.length } as Message
      }
      case 'kv.put': {
        const [r] = this.apply([{ op: 'put', key: req.key, value: req.value, prevKv: req.prevKv }])
        return { type: 'kv.put.reply', header: this.header(member), ...(r && r.op === 'put' && r.prevKv ? { prevKv: r.prevKv } : {}) } as Message
      }
      case 'kv.delete': {
        const [r] = this.apply([{ op: 'delete', key: req.key, end: req.end, prefix: req.prefix, prevKv: req.prevKv }])
        const d = r as Extract<KvOpResult, { op: 'delete' }>
        return { type: 'kv.delete.reply', header: this.header(member), deleted: d.deleted, ...(d.prevKvs ? { prevKvs: d.prevKvs } : {}) } as Message
      }
      case 'kv.txn': {
        const ok = req.compare.every((c) => this.compare(c))
        const responses = this.apply(ok ? req.success : req.failure)
        return { type: 'kv.txn.reply', header: this.header(member), succeeded: ok, responses } as Message
      }
      case 'kv.compact':
        if (req.revision > this.revision) return err('KV_FUTURE_REV', 'compact revision is a future revision')
        this.compact(req.revision)
        return { type: 'kv.compact.reply', header: this.header(member) } as Message
      case 'kv.watch.create':
        return this.watch(member, from, req)
      case 'kv.watch.cancel':
        this.watches.delete(`${from}/${req.watchId}`)
        return { type: 'kv.watch.created', watchId: req.watchId, header: this.header(member) } as Message
      default:
        return err('KV_BAD_REQUEST', `unknown request ${(req as Message).type}`)
    }
  }

  private watch(member: string, from: string, req: KvWatchCreate): Message {
    const start = req.startRevision && req.startRevision > 0 ? req.startRevision : this.revision + 1
    if (start <= this.compacted) {
      return { type: 'kv.error', code: 'KV_COMPACTED', message: 'required revision has been compacted', compactRevision: this.compacted } as Message
    }
    this.watches.set(`${from}/${req.watchId}`, {
      owner: member, watcher: from, watchId: req.watchId, key: req.key, end: req.end, prefix: req.prefix,
      prevKv: req.prevKv ?? false, next: start, progressNotify: req.progressNotify ?? false,
    })
    return { type: 'kv.watch.created', watchId: req.watchId, header: this.header(member) } as Message
  }

  /** Progress notifications for the watches a replica owns. */
  progress(member: string): void {
    const send = this.senders.get(member)
    if (!send) return
    for (const w of this.watches.values()) {
      if (w.owner === member && w.progressNotify) send(w.watcher, { type: 'kv.watch.events', watchId: w.watchId, revision: this.revision, events: [] } as Message)
    }
  }
}

export interface FakeEtcdArgs {
  store: FakeEtcdStore
  /** Progress notifications every this many ms (0: never). */
  progressMs?: number
}

/** One replica: answers KV requests from the shared store, sends its watches' events. */
export const createFakeEtcd: ActorFactory<FakeEtcdArgs> = (ctx: Ctx, args) => {
  const { store } = args
  const progressMs = args.progressMs ?? 500
  return {
    start() {
      store.attach(ctx.self, (to, msg) => ctx.send(to, msg))
      if (progressMs > 0) ctx.after(progressMs, { type: 'fake.progress' })
    },
    receive(msg: Message, meta: MsgMeta) {
      if (msg.type === 'fake.progress') {
        store.progress(ctx.self)
        ctx.after(progressMs, { type: 'fake.progress' })
        return
      }
      const reply = store.handle(ctx.self, meta.from, msg as KvRequest)
      ctx.reply(meta, reply)
      store.pump()
    },
  }
}

/** Spawn `replicas` replicas of shard `shard` in a simulation; returns the shared store. */
export function spawnFakeEtcd(sim: Simulation, shard: string, replicas = 3, progressMs = 500): { store: FakeEtcdStore; members: string[] } {
  const store = new FakeEtcdStore(shard)
  const members: string[] = []
  for (let i = 0; i < replicas; i++) {
    const id = `etcd-${shard}-${i}`
    members.push(id)
    sim.spawn(id, (ctx) => createFakeEtcd(ctx, { store, progressMs }))
  }
  return { store, members }
}
