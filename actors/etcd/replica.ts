// The replica shell around the pure cores: Raft (raft/core.ts), the MVCC store and watches
// (mvcc/), and durable storage (wal/). Every Ready is handled in one place, in this order:
// persist (WAL append + fsync, snapshot), then send, then apply, then answer.
import type { Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import { ActorkubeError } from '../../runtime/errors.ts'
import type { EtcdArgs } from '../args.ts'
import type { KvHeader, KvRange, KvReply, KvRequest, KvWatchCreate, KvWatchCreated } from '../../protocols/kv.ts'
import { isRaftMessage, type Entry } from '../../protocols/raft.ts'
import { Raft, type Ready, type SoftState } from './raft/core.ts'
import { MvccStore } from './mvcc/store.ts'
import { KvStoreError } from './mvcc/errors.ts'
import { WatchHub, type Send } from './mvcc/watch.ts'
import { RaftStorage } from './wal/storage.ts'
import { decodeCommand, encodeCommand, toCommand } from './command.ts'
import { fromStoreError, kvError, replyFor } from './replies.ts'
import { ticksFor, type Ticks } from './timing.ts'
import type { CrashPoint, EtcdForward, EtcdInternal, EtcdWriteTimeout } from './messages.ts'

const kvTypes = new Set(['kv.range', 'kv.put', 'kv.delete', 'kv.txn', 'kv.compact', 'kv.watch.create', 'kv.watch.cancel'])
const PROGRESS_MS = 1000

interface PendingWrite {
  meta: MsgMeta
  timer: number
}

interface PendingRead {
  meta: MsgMeta
  req: KvRange
  index?: number
}

export class CrashPointError extends ActorkubeError {
  constructor(point: CrashPoint) {
    super('ETCD_CRASHPOINT', `crash point ${point} reached`)
  }
}

export class Replica {
  private core: Raft | undefined
  private store: MvccStore
  private readonly watches = new WatchHub()
  private readonly storage: RaftStorage | undefined
  private readonly ticks: Ticks
  private readonly requestTimeoutMs: number
  private readonly held: Array<[Message, MsgMeta]> = []
  private readonly writes = new Map<string, PendingWrite>()
  private readonly reads = new Map<number, PendingRead>()
  private busy = false
  private fatal: unknown
  private stopping = false
  private armed = new Map<CrashPoint, number>()
  private lastReport = ''
  private nextTick = 0
  private soft: SoftState = { role: 'follower', leader: '', term: 0 }

  constructor(private readonly ctx: Ctx, private readonly args: EtcdArgs) {
    this.ticks = ticksFor(args.heartbeatMs, args.electionTimeoutMs)
    this.requestTimeoutMs = Math.max(5000, 5 * args.electionTimeoutMs[1])
    this.store = new MvccStore(args.historyRevisions)
    if (args.storage === 'disk') {
      if (!ctx.disk) throw new ActorkubeError('ETCD_NO_DISK', `${ctx.self}: storage 'disk' but the host gave no disk`)
      this.storage = new RaftStorage(ctx.disk, { fsync: args.fsync })
    }
    // Timers start now (not after loading) so a host's event loop always has work queued.
    ctx.after(this.ticks.tickMs, { type: 'etcd.tick' })
    ctx.after(PROGRESS_MS, { type: 'etcd.progress-tick' })
  }

  async start(): Promise<void> {
    const loaded = this.storage ? await this.storage.load() : { entries: [] as Entry[], tornTail: false }
    if ('snapshot' in loaded && loaded.snapshot) this.store = MvccStore.decode(loaded.snapshot.data, this.args.historyRevisions)
    if (loaded.tornTail) this.ctx.log.warn({ event: 'etcd.wal.torn-tail', shard: this.args.shard }, 'etcd.wal.torn-tail')
    this.core = new Raft(
      {
        id: this.ctx.self, peers: this.args.members, heartbeatTicks: this.ticks.heartbeatTicks,
        electionTicks: this.ticks.electionTicks, random: () => this.ctx.random(),
      },
      { hardState: 'hardState' in loaded ? loaded.hardState : undefined, snapshot: 'snapshot' in loaded ? loaded.snapshot : undefined, entries: loaded.entries },
    )
    this.ctx.log.info({ event: 'etcd.replica.started', shard: this.args.shard, term: this.core.term, lastIndex: this.core.log.lastIndex(), revision: this.store.revision }, 'etcd.replica.started')
    this.report()
    const held = this.held.splice(0)
    const runs: Array<Promise<void> | void> = held.map(([m, meta]) => this.receive(m, meta))
    runs.push(this.kick())
    await Promise.all(runs)
  }

  receive(msg: Message, meta: MsgMeta): Promise<void> | void {
    if (this.fatal) throw this.fatal
    const core = this.core
    if (!core) {
      if (msg.type === 'etcd.tick' || msg.type === 'etcd.progress-tick') this.ctx.after(this.ticks.tickMs, msg)
      else this.held.push([msg, meta])
      return
    }
    if (isRaftMessage(msg)) {
      core.step(msg)
      return this.kick()
    }
    if (kvTypes.has(msg.type)) return this.onKv(msg as KvRequest, meta, false)
    const m = msg as EtcdInternal
    switch (m.type) {
      case 'etcd.tick':
        this.onTick(core)
        return this.kick()
      case 'etcd.progress-tick':
        this.deliver(this.watches.progress(this.store.revision))
        this.ctx.after(PROGRESS_MS, { type: 'etcd.progress-tick' })
        return
      case 'etcd.write-timeout':
        return this.onWriteTimeout(m.id)
      case 'etcd.forward':
        return this.onKv((m as EtcdForward).req, meta, true)
      case 'etcd.crashpoint.arm':
        this.armed.set(m.point, m.hits ?? 1)
        this.ctx.log.warn({ event: 'etcd.crashpoint.armed', point: m.point }, 'etcd.crashpoint.armed')
        return
      default:
        this.ctx.log.warn({ event: 'etcd.unknown-message', msgType: msg.type }, 'etcd.unknown-message')
    }
  }

  /** Graceful stop: hand leadership to the most up-to-date follower, end watches. */
  async stop(): Promise<void> {
    this.stopping = true
    const core = this.core
    if (core && core.role === 'leader' && core.peers.length > 1) {
      let best = ''
      let bestMatch = -1
      for (const [id, pr] of core.progress) if (id !== core.id && pr.match > bestMatch) [best, bestMatch] = [id, pr.match]
      if (core.transferLeader(best)) {
        await this.kick()
        const deadline = this.ctx.now() + this.args.electionTimeoutMs[0]
        while (core.role === 'leader' && this.ctx.now() < deadline) await this.ctx.sleep(this.ticks.tickMs)
      }
    }
    this.deliver(this.watches.cancelAll('replica stopping'))
  }

  /**
   * Ticks keep to a fixed schedule so a busy thread does not stretch election timeouts: a late
   * timer catches up (at most 3 ticks at once; a longer stall or a clock jump is not replayed).
   */
  private onTick(core: Raft): void {
    const now = this.ctx.now()
    const step = this.ticks.tickMs
    if (this.nextTick === 0 || now - this.nextTick > 3 * step || now < this.nextTick - step) this.nextTick = now
    let n = 0
    while (this.nextTick <= now && n < 3) {
      core.tick()
      this.nextTick += step
      n++
    }
    if (this.nextTick <= now) this.nextTick = now + step
    this.ctx.after(Math.max(1, this.nextTick - now), { type: 'etcd.tick' })
  }

  /** Read-only view for tests and diagnostics. */
  inspect(): { raft: Raft | undefined; store: MvccStore; watchers: number } {
    return { raft: this.core, store: this.store, watchers: this.watches.size }
  }

  // ---- KV requests ----

  private onKv(req: KvRequest, meta: MsgMeta, forwarded: boolean): Promise<void> | void {
    const core = this.core as Raft
    const answer = (r: KvReply) => this.ctx.reply(meta, r)
    if (this.stopping) return answer(kvError('KV_STOPPING', `${this.ctx.self} is stopping`))
    try {
      switch (req.type) {
        case 'kv.watch.create': return this.onWatch(req, meta)
        case 'kv.watch.cancel':
          this.watches.cancel(meta.from, req.watchId)
          return
        case 'kv.range':
          if (req.serializable) return answer(this.range(req))
          if (core.role !== 'leader') return this.forward(req, meta, forwarded)
          return this.linearizableRead(req, meta)
        default: {
          const cmd = toCommand(req)
          if (core.role !== 'leader') return this.forward(req, meta, forwarded)
          const id = this.ctx.newId()
          if (core.propose([encodeCommand({ id, origin: this.ctx.self, cmd })]) === undefined) {
            return answer(kvError('KV_NO_LEADER', 'leadership is being transferred'))
          }
          const timeout: EtcdWriteTimeout = { type: 'etcd.write-timeout', id }
          const timer = this.ctx.after(this.requestTimeoutMs, timeout)
          this.writes.set(id, { meta, timer })
          return this.kick()
        }
      }
    } catch (err) {
      if (err instanceof KvStoreError) return answer(fromStoreError(err))
      throw err
    }
  }

  private forward(req: KvRequest, meta: MsgMeta, forwarded: boolean): void {
    const leader = (this.core as Raft).leader
    if (forwarded || leader === '' || leader === this.ctx.self) {
      const r = leader === '' || leader === this.ctx.self
        ? kvError('KV_NO_LEADER', `shard ${this.args.shard} has no leader`)
        : kvError('KV_NOT_LEADER', `${this.ctx.self} is not the leader`, { leader })
      this.ctx.reply(meta, r)
      return
    }
    const fwd: EtcdForward = { type: 'etcd.forward', req }
    this.ctx.ask<KvReply>(leader, fwd, { timeoutMs: this.requestTimeoutMs }).then(
      (r) => this.ctx.reply(meta, r),
      () => this.ctx.reply(meta, kvError('KV_TIMEOUT', `no answer from the leader ${leader}`)),
    )
  }

  private linearizableRead(req: KvRange, meta: MsgMeta): void | Promise<void> {
    const read = (this.core as Raft).readIndex()
    if (read === undefined) return this.ctx.reply(meta, kvError('KV_NO_LEADER', 'not leader'))
    this.reads.set(read, { meta, req })
    return this.kick()
  }

  private range(req: KvRange): KvReply {
    try {
      const r = this.store.range(req)
      return { type: 'kv.range.reply', header: this.header(), ...r }
    } catch (err) {
      if (err instanceof KvStoreError) return fromStoreError(err)
      throw err
    }
  }

  private onWatch(req: KvWatchCreate, meta: MsgMeta): void {
    try {
      const sends = this.watches.create(meta.from, req, this.store)
      const created: KvWatchCreated = { type: 'kv.watch.created', watchId: req.watchId, header: this.header() }
      this.ctx.reply(meta, created)
      this.deliver(sends)
    } catch (err) {
      if (err instanceof KvStoreError) return this.ctx.reply(meta, fromStoreError(err))
      throw err
    }
  }

  private header(): KvHeader {
    return { revision: this.store.revision, raftTerm: (this.core as Raft).term, member: this.ctx.self }
  }

  private deliver(sends: Send[]): void {
    for (const s of sends) this.ctx.send(s.to, s.msg)
  }

  // ---- the Ready loop: persist, send, apply ----

  private kick(): Promise<void> | undefined {
    if (this.busy || !this.core) return undefined
    this.busy = true
    const run = this.loop()
    run.catch((err: unknown) => {
      this.fatal = err
    })
    return run
  }

  private async loop(): Promise<void> {
    const core = this.core as Raft
    try {
      while (core.hasReady()) {
        const rd = core.ready()
        await this.persist(rd)
        this.at('before-send')
        for (const m of rd.messages) this.ctx.send(m.to, m)
        if (rd.snapshot) {
          this.store = MvccStore.decode(rd.snapshot.data, this.args.historyRevisions)
          this.deliver(this.watches.resync(this.store))
        }
        for (const e of rd.committed) this.apply(e)
        for (const r of rd.reads) {
          const p = this.reads.get(r.read)
          if (p) p.index = r.index
        }
        this.serveReads()
        if (rd.soft) this.onSoft(rd.soft)
        await this.maybeSnapshot()
        this.report()
      }
    } finally {
      this.busy = false
    }
  }

  private async persist(rd: Ready): Promise<void> {
    if (!this.storage) return
    const core = this.core as Raft
    if (rd.snapshot) await this.storage.saveSnapshot(rd.snapshot, core.hardState(), [])
    if (rd.entries.length > 0 || rd.hardState) {
      this.at('before-wal-append')
      await this.storage.save(rd.hardState, rd.entries, (p) => this.at(p))
    }
  }

  private apply(e: Entry): void {
    if (!e.data || e.data.length === 0) return
    this.at('before-apply')
    const c = decodeCommand(e.data)
    const out = this.store.apply(c.cmd)
    if (out.events.length > 0) this.deliver(this.watches.onApply(out.revision, out.events))
    this.at('after-apply')
    if (c.origin !== this.ctx.self) return
    const w = this.writes.get(c.id)
    if (!w) return
    this.writes.delete(c.id)
    this.ctx.cancel(w.timer)
    this.ctx.reply(w.meta, replyFor(out.result, this.header()))
  }

  private serveReads(): void {
    const applied = (this.core as Raft).log.applied
    for (const [read, p] of this.reads) {
      if (p.index === undefined || p.index > applied) continue
      this.reads.delete(read)
      this.ctx.reply(p.meta, this.range(p.req))
    }
  }

  private onSoft(s: SoftState): void {
    const was = this.soft
    this.soft = s
    const ev = { shard: this.args.shard, term: s.term, id: this.ctx.self }
    if (s.role === 'leader' && was.role !== 'leader') this.ctx.log.info({ event: 'raft.leader.elected', ...ev }, 'raft.leader.elected')
    if (s.role !== 'leader' && was.role === 'leader') {
      this.ctx.log.info({ event: 'raft.leader.lost', ...ev, leader: s.leader }, 'raft.leader.lost')
      for (const p of this.reads.values()) this.ctx.reply(p.meta, kvError('KV_NO_LEADER', 'leadership lost'))
      this.reads.clear()
    }
  }

  private async maybeSnapshot(): Promise<void> {
    const core = this.core as Raft
    const applied = core.log.applied
    if (this.args.snapshotEntries <= 0 || applied - core.log.snapIndex < this.args.snapshotEntries) return
    core.compact(applied, this.store.encode())
    const snap = core.snapshot
    if (this.storage && snap) await this.storage.saveSnapshot(snap, core.hardState(), core.log.slice(applied + 1, core.log.lastIndex()))
  }

  private onWriteTimeout(id: string): void {
    const w = this.writes.get(id)
    if (!w) return
    this.writes.delete(id)
    this.ctx.reply(w.meta, kvError('KV_TIMEOUT', 'the write was not committed in time; it may still be applied'))
  }

  private at(point: CrashPoint): void {
    const n = this.armed.get(point)
    if (n === undefined) return
    if (n > 1) {
      this.armed.set(point, n - 1)
      return
    }
    this.armed.delete(point)
    this.ctx.log.warn({ event: 'etcd.crashpoint.hit', point }, 'etcd.crashpoint.hit')
    throw new CrashPointError(point)
  }

  private report(): void {
    const core = this.core
    if (!core) return
    const info = { leader: core.role === 'leader', term: core.term, leaderId: core.leader, appliedIndex: core.log.applied, revision: this.store.revision }
    const key = JSON.stringify(info)
    if (key === this.lastReport) return
    this.lastReport = key
    this.ctx.report({ ready: true, info })
  }
}
