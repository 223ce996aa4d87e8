// The replica shell around the pure cores: Raft (raft/core.ts), the MVCC store and watches
// (mvcc/), and durable storage (wal/). Every Ready is handled in one place, in this order: send
// the messages that may go first (Ready.early), persist (WAL append + fsync, snapshot), send the
// rest, apply, answer. Early messages that come up while a Ready is being persisted (a
// leader's heartbeats, heartbeat replies, pre-votes, ReadIndex traffic) go out at once.
import type { Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import { ActorkubeError } from '../../runtime/errors.ts'
import type { EtcdArgs } from '../args.ts'
import type { KvError, KvHeader, KvRange, KvReply, KvRequest, KvWatchCreate, KvWatchCreated } from '../../protocols/kv.ts'
import { isRaftMessage, type Entry } from '../../protocols/raft.ts'
import { Raft, type Ready, type SoftState } from './raft/core.ts'
import { MvccStore, type KvCommand } from './mvcc/store.ts'
import { KvStoreError } from './mvcc/errors.ts'
import { WatchHub, type Send } from './mvcc/watch.ts'
import { RaftStorage } from './wal/storage.ts'
import { decodeCommand, encodeCommand, toCommand, writeTypes, type KvWriteRequest } from './command.ts'
import { fromStoreError, kvError, replyFor } from './replies.ts'
import { ticksFor, type Ticks } from './timing.ts'
import type { CrashPoint, EtcdForward, EtcdInternal, EtcdWriteTimeout } from './messages.ts'

const kvTypes = new Set(['kv.range', 'kv.put', 'kv.delete', 'kv.txn', 'kv.compact', 'kv.watch.create', 'kv.watch.cancel'])
const PROGRESS_MS = 1000
/** Longest run of applying committed entries without a turn of the event loop. */
const APPLY_SLICE_MS = 20
/** Answers from a leader meaning "not carried out": the write was not proposed there. */
const REFUSED = new Set(['KV_NOT_LEADER', 'KV_NO_LEADER', 'KV_STOPPING'])

/**
 * A write this replica owes an answer to (clients waiting on the same id share it). It is
 * answered when any entry with its id is applied here, when a forward comes back, or on timeout.
 */
interface PendingWrite {
  id: string
  /** As forwarded: carries `requestId` = id when `dedup`. */
  req: KvWriteRequest
  cmd: KvCommand
  /** The store applies `id` at most once, so the write may be proposed or forwarded again. */
  dedup: boolean
  metas: MsgMeta[]
  timer: number
  /** Proposals made here and forwards sent, and how many of them were refused outright. */
  attempts: number
  refusals: number
  /** The term in which this replica last proposed it, and the leader it was last forwarded to. */
  proposedTerm?: number
  forwardedTo?: string
}

interface PendingRead {
  meta: MsgMeta
  req: KvRange
  index?: number
  deadline: number
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
  /** Log index -> id of a write proposed here, to learn that a new leader overwrote it. */
  private readonly proposed = new Map<number, string>()
  private readonly forwardTimeoutMs: number
  private readonly reads = new Map<number, PendingRead>()
  /** Reads whose ReadIndex was dropped while no leader was known: issued again once one is. */
  private parkedReads: PendingRead[] = []
  private busy = false
  private earlyQueued = false
  private fatal: unknown
  private stopping = false
  private armed = new Map<CrashPoint, number>()
  private lastReport = ''
  private nextTick = 0
  private soft: SoftState = { role: 'follower', leader: '', term: 0 }
  /** The leader (and term) that waiting writes and reads were last sent on to. */
  private seenLeader = { leader: '', term: -1 }

  constructor(private readonly ctx: Ctx, private readonly args: EtcdArgs) {
    this.ticks = ticksFor(args.heartbeatMs, args.electionTimeoutMs)
    this.requestTimeoutMs = Math.max(5000, 5 * args.electionTimeoutMs[1])
    this.forwardTimeoutMs = Math.max(1000, 2 * args.electionTimeoutMs[1])
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
      this.noticeLeader(core)
      return this.kick()
    }
    if (kvTypes.has(msg.type)) return this.onKv(msg as KvRequest, meta, false)
    const m = msg as EtcdInternal
    switch (m.type) {
      case 'etcd.tick':
        this.onTick(core)
        this.noticeLeader(core)
        this.expireParkedReads()
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
          return this.linearizableRead(req, meta)
        default:
          if (!writeTypes.has(req.type)) return answer(kvError('KV_BAD_REQUEST', `unknown request type ${String(req.type)}`))
          return this.onWrite(req as KvWriteRequest, meta, forwarded)
      }
    } catch (err) {
      if (err instanceof KvStoreError) return answer(fromStoreError(err))
      throw err
    }
  }

  // ---- writes ----

  private onWrite(req: KvWriteRequest, meta: MsgMeta, forwarded: boolean): Promise<void> | void {
    const core = this.core as Raft
    const cmd = toCommand(req)
    const rid = req.requestId
    if (rid !== undefined) {
      const done = this.store.requests.get(rid)
      if (done) return this.ctx.reply(meta, replyFor(done.result, { ...this.header(), revision: done.revision }))
      const same = this.writes.get(rid)
      if (same) {
        same.metas.push(meta)
        return
      }
    }
    const leader = core.role === 'leader'
    if (!leader && (forwarded || core.leader === '')) return this.ctx.reply(meta, this.refusal())
    // A write that may have to be sent again gets an id the store deduplicates.
    const id = rid ?? this.ctx.newId()
    const dedup = rid !== undefined || !leader
    const timeout: EtcdWriteTimeout = { type: 'etcd.write-timeout', id }
    const w: PendingWrite = {
      id, req: dedup ? { ...req, requestId: id } : req, cmd, dedup, metas: [meta],
      timer: this.ctx.after(this.requestTimeoutMs, timeout), attempts: 0, refusals: 0,
    }
    this.writes.set(id, w)
    this.dispatch(w)
    if (w.attempts === 0) return this.finish(w, kvError('KV_NO_LEADER', 'leadership is being transferred'))
    return this.kick()
  }

  /** Propose `w` (leader) or forward it to the leader, unless that was already done. */
  private dispatch(w: PendingWrite): void {
    const core = this.core as Raft
    if (core.role === 'leader') {
      if (w.proposedTerm === core.term) return
      const index = core.propose([encodeCommand({ id: w.id, origin: this.ctx.self, cmd: w.cmd, ...(w.dedup ? { dedup: true } : {}) })])
      if (index === undefined) return
      w.attempts++
      w.proposedTerm = core.term
      this.proposed.set(index, w.id)
      return
    }
    const leader = core.leader
    if (!w.dedup || leader === '' || leader === this.ctx.self || w.forwardedTo === leader) return
    w.attempts++
    w.forwardedTo = leader
    const fwd: EtcdForward = { type: 'etcd.forward', req: w.req }
    this.ctx.ask<KvReply>(leader, fwd, { timeoutMs: this.forwardTimeoutMs }).then(
      (r) => this.onForwardReply(w, leader, r),
      () => this.onForwardLost(w, leader),
    )
  }

  private onForwardReply(w: PendingWrite, to: string, r: KvReply): void {
    if (this.writes.get(w.id) !== w) return
    if (r.type === 'kv.error' && REFUSED.has(r.code)) {
      w.refusals++
      if (w.forwardedTo === to) w.forwardedTo = undefined
      // Refused everywhere it was sent: it was never proposed, say so.
      if (w.attempts === w.refusals) return this.finish(w, r)
      // It may be in some leader's log already: keep it, and send it on once leadership settles.
      void this.ctx.sleep(this.ticks.tickMs).then(() => {
        if (this.writes.get(w.id) !== w) return
        this.dispatch(w)
        void this.kick()
      })
      return
    }
    this.finish(w, r)
  }

  /** No answer from the leader in time: send it again to whoever leads now (the id makes it safe). */
  private onForwardLost(w: PendingWrite, to: string): void {
    if (this.writes.get(w.id) !== w) return
    if (w.forwardedTo === to) w.forwardedTo = undefined
    this.dispatch(w)
    void this.kick()
  }

  /** A proposal of ours at some index lost to a new leader's entry. */
  private onProposalLost(id: string): void {
    const w = this.writes.get(id)
    if (!w) return
    const core = this.core as Raft
    // A proposal of ours in the current term is still in the log (a leader never loses those).
    if (core.role === 'leader' && w.proposedTerm === core.term) return
    w.proposedTerm = undefined
    if (!w.dedup) {
      // Proposed once, never sent anywhere else, and that entry is gone: it was not applied.
      const leader = (this.core as Raft).leader
      return this.finish(w, kvError('KV_NOT_LEADER', `${this.ctx.self} lost leadership before the write committed`, leader && leader !== this.ctx.self ? { leader } : {}))
    }
    this.dispatch(w)
  }

  /** The leader is known (changed, or elected): writes and reads waiting here move on to it. */
  private onLeaderKnown(): void {
    for (const w of [...this.writes.values()]) if (w.dedup) this.dispatch(w)
    const parked = this.parkedReads
    this.parkedReads = []
    for (const p of parked) if (!this.issueRead(p)) this.parkedReads.push(p)
  }

  private finish(w: PendingWrite, r: KvReply): void {
    if (this.writes.get(w.id) === w) this.writes.delete(w.id)
    this.ctx.cancel(w.timer)
    for (const m of w.metas) this.ctx.reply(m, r)
  }

  private refusal(): KvError {
    const leader = (this.core as Raft).leader
    return leader === '' || leader === this.ctx.self
      ? kvError('KV_NO_LEADER', `shard ${this.args.shard} has no leader`)
      : kvError('KV_NOT_LEADER', `${this.ctx.self} is not the leader`, { leader })
  }

  // ---- linearizable reads ----

  private linearizableRead(req: KvRange, meta: MsgMeta): void | Promise<void> {
    const p: PendingRead = { meta, req, deadline: this.ctx.now() + this.requestTimeoutMs }
    if (!this.issueRead(p)) return this.ctx.reply(meta, this.refusal())
    return this.kick()
  }

  private issueRead(p: PendingRead): boolean {
    const read = (this.core as Raft).readIndex()
    if (read === undefined) return false
    p.index = undefined
    this.reads.set(read, p)
    return true
  }

  private expireParkedReads(): void {
    if (this.parkedReads.length === 0) return
    const now = this.ctx.now()
    const keep: PendingRead[] = []
    for (const p of this.parkedReads) {
      if (p.deadline > now) keep.push(p)
      else this.ctx.reply(p.meta, this.refusal())
    }
    this.parkedReads = keep
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

  /**
   * Run the Ready loop, or (while it waits on the disk) send what may go early. Both start after
   * the current batch of deliveries, so that everything that came in together (reads, writes)
   * goes into one ReadIndex round and one WAL write.
   */
  private kick(): Promise<void> | undefined {
    const core = this.core
    if (!core) return undefined
    if (this.busy) {
      if (!this.earlyQueued) {
        this.earlyQueued = true
        queueMicrotask(() => {
          this.earlyQueued = false
          for (const m of core.takeEarly()) this.ctx.send(m.to, m)
        })
      }
      return undefined
    }
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
      await Promise.resolve()
      while (core.hasReady()) {
        const rd = core.ready()
        for (const m of rd.early) this.ctx.send(m.to, m)
        await this.persist(rd)
        core.advance(rd)
        this.at('before-send')
        for (const m of rd.messages) this.ctx.send(m.to, m)
        if (rd.snapshot) {
          this.store = await this.inParts(MvccStore.decodeParts(rd.snapshot.data, this.args.historyRevisions))
          this.deliver(this.watches.resync(this.store))
          for (const i of this.proposed.keys()) if (i <= rd.snapshot.meta.index) this.proposed.delete(i)
        }
        await this.applyAll(rd.committed)
        for (const r of rd.reads) {
          const p = this.reads.get(r.read)
          if (p) p.index = r.index
        }
        for (const read of rd.dropped) {
          const p = this.reads.get(read)
          if (!p) continue
          this.reads.delete(read)
          if (!this.issueRead(p)) this.parkedReads.push(p)
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

  /**
   * Apply committed entries in order, letting the event loop turn every APPLY_SLICE_MS (a
   * follower catching up may get thousands at once). Reads meanwhile see a prefix of the log.
   */
  private async applyAll(entries: Entry[]): Promise<void> {
    let since = this.ctx.now()
    for (let i = 0; i < entries.length; i++) {
      this.apply(entries[i] as Entry)
      if (i % 32 === 31 && this.ctx.now() - since >= APPLY_SLICE_MS) {
        await this.ctx.sleep(0)
        since = this.ctx.now()
      }
    }
  }

  private apply(e: Entry): void {
    const mine = this.proposed.get(e.index)
    if (mine !== undefined) this.proposed.delete(e.index)
    if (!e.data || e.data.length === 0) {
      if (mine !== undefined) this.onProposalLost(mine)
      return
    }
    this.at('before-apply')
    const c = decodeCommand(e.data)
    const out = this.store.apply(c.cmd, c.dedup ? c.id : undefined)
    if (out.events.length > 0) this.deliver(this.watches.onApply(out.revision, out.events))
    this.at('after-apply')
    if (mine !== undefined && mine !== c.id) this.onProposalLost(mine)
    const w = this.writes.get(c.id)
    if (w) this.finish(w, replyFor(out.result, { ...this.header(), revision: out.revision }))
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
    if (s.role === 'precandidate' || s.role === 'candidate') this.ctx.log.debug({ event: 'raft.campaign', ...ev, pre: s.role === 'precandidate' }, 'raft.campaign')
    if (s.role === 'leader' && was.role !== 'leader') this.ctx.log.info({ event: 'raft.leader.elected', ...ev }, 'raft.leader.elected')
    if (s.role !== 'leader' && was.role === 'leader') this.ctx.log.info({ event: 'raft.leader.lost', ...ev, leader: s.leader }, 'raft.leader.lost')
    this.noticeLeader(this.core as Raft)
  }

  /**
   * A new leader (or term) is known: writes and reads waiting here move on to it at once, in the
   * Ready that is being built (a new leader proposes them with its first entry).
   */
  private noticeLeader(core: Raft): void {
    const { leader, term } = core
    if (leader === '' || (leader === this.seenLeader.leader && term === this.seenLeader.term)) return
    this.seenLeader = { leader, term }
    this.onLeaderKnown()
  }

  /**
   * Run a snapshot's encoding or decoding a part at a time, letting the thread's event loop turn
   * between parts (heartbeats, incoming messages); the Ready loop applies nothing meanwhile.
   */
  private async inParts<T>(it: Generator<void, T>): Promise<T> {
    for (;;) {
      const r = it.next()
      if (r.done) return r.value
      await this.ctx.sleep(0)
    }
  }

  private async maybeSnapshot(): Promise<void> {
    const core = this.core as Raft
    const applied = core.log.applied
    if (this.args.snapshotEntries <= 0 || applied - core.log.snapIndex < this.args.snapshotEntries) return
    core.compact(applied, await this.inParts(this.store.encodeParts()))
    const snap = core.snapshot
    if (this.storage && snap) await this.storage.saveSnapshot(snap, core.hardState(), core.log.slice(applied + 1, core.log.lastIndex()))
  }

  private onWriteTimeout(id: string): void {
    const w = this.writes.get(id)
    if (!w) return
    if (w.attempts === w.refusals) return this.finish(w, this.refusal())
    this.finish(w, kvError('KV_TIMEOUT', 'the write was not committed in time; it may still be applied'))
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
