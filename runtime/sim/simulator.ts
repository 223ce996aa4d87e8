// The deterministic simulator: the same behaviours in one thread, a virtual clock, a seeded
// PRNG, seeded delivery latency. Same seed -> same trace.
import type { ActorReport, Address, Behaviour, Ctx, Logger, Message } from '../actor.ts'
import type { Io } from '../io/index.ts'
import { ActorCell, type CellHost, type Envelope } from '../cell.ts'
import { recordingLogger, type LogRecord } from '../log.ts'
import { seededRandom, type Rng } from '../random.ts'
import { MemDisk } from './mem-disk.ts'
import { EventQueue } from './event-queue.ts'
import { copyMessage } from './copy.ts'
import { judge } from '../faults/links.ts'
import { FaultyDisk, DiskFailedError } from '../faults/faulty-disk.ts'
import type { LinkRule } from '../faults/types.ts'

/** Which links a link fault applies to; absent = every actor. */
export interface LinkSelector {
  from?: Address[]
  to?: Address[]
}

export interface SimOptions {
  seed: number
  /** One-way delivery latency range in virtual ms. */
  latencyMs?: [number, number]
  /** Virtual epoch at start. */
  startTime?: number
  /**
   * Deep-copy every message with MessagePack semantics (catches shared objects; what arrives is
   * what a thread would decode). Default true.
   */
  copyMessages?: boolean
  /** Keep delivery lines in the trace (default true). */
  traceDeliveries?: boolean
  /** Called with each log record (for printing while debugging). */
  onLog?: (r: LogRecord, now: number) => void
  /** Called with each actor report (the merged state) as it arrives (HA tracking, scenarios). */
  onReport?: (id: Address, report: ActorReport, now: number) => void
  /** Called when an actor crashes (its behaviour threw or rejected). */
  onCrash?: (id: Address, now: number, error: string) => void
}

export type Creator = (ctx: Ctx) => Behaviour

interface SimActor {
  id: Address
  create: Creator
  cell: ActorCell
  disk?: MemDisk
  faulty?: FaultyDisk
  io: Io
  paused: Envelope[] | undefined
  skewMs: number
}

export class Simulation {
  readonly seed: number
  readonly rng: Rng
  readonly trace: string[] = []
  readonly crashes: Array<{ id: Address; at: number; error: string }> = []
  readonly reports = new Map<Address, ActorReport>()
  aclDenied = 0
  delivered = 0
  private clock: number
  private readonly queue = new EventQueue()
  private readonly actors = new Map<Address, SimActor>()
  /** Per link (from, then to): the latest delivery time scheduled, for FIFO order per link. */
  private readonly linkClock = new Map<Address, Map<Address, number>>()
  private readonly deliverFn = (env: Envelope) => this.deliver(env)
  private readonly opts: Required<Omit<SimOptions, 'onLog' | 'onReport' | 'onCrash'>> & Pick<SimOptions, 'onLog' | 'onReport' | 'onCrash'>
  private idCounter = 0
  /** Link filter for partitions and drops: return false to drop. */
  private readonly linkFilters: Array<(from: Address, to: Address) => boolean> = []
  /** Link faults that delay, duplicate or reorder (same rules as the worker host). */
  private linkRules: LinkRule[] = []
  private ruleCounter = 0
  private lastDrainMs = -1

  constructor(opts: SimOptions) {
    this.seed = opts.seed
    this.rng = seededRandom(opts.seed)
    this.opts = {
      seed: opts.seed,
      latencyMs: opts.latencyMs ?? [1, 5],
      startTime: opts.startTime ?? 1_700_000_000_000,
      copyMessages: opts.copyMessages ?? true,
      traceDeliveries: opts.traceDeliveries ?? true,
      onLog: opts.onLog,
      onReport: opts.onReport,
      onCrash: opts.onCrash,
    }
    this.clock = this.opts.startTime
  }

  now(): number {
    return this.clock
  }

  /** Start an actor. `disk: true` gives it a MemDisk that survives crash/restart. */
  spawn(id: Address, create: Creator, opts: { disk?: boolean; io?: Io } = {}): Ctx {
    if (this.actors.has(id)) throw new Error(`actor ${id} already exists`)
    const a: SimActor = {
      id,
      create,
      disk: opts.disk ? new MemDisk() : undefined,
      io: opts.io ?? {},
      paused: undefined,
      skewMs: 0,
      cell: undefined as unknown as ActorCell,
    }
    if (a.disk) a.faulty = new FaultyDisk(a.disk, (ms) => new Promise<void>((r) => this.queue.push(this.clock + ms, () => r())))
    this.actors.set(id, a)
    this.boot(a)
    return a.cell.ctx
  }

  /** A context for test code acting as actor `id` (no behaviour; replies still resolve asks). */
  client(id: Address): Ctx {
    return this.spawn(id, () => ({ receive: () => {} }))
  }

  has(id: Address): boolean {
    return this.actors.get(id)?.cell.isAlive ?? false
  }

  disk(id: Address): MemDisk | undefined {
    return this.actors.get(id)?.disk
  }

  behaviour(id: Address): Behaviour | undefined {
    return this.actors.get(id)?.cell.behaviour
  }

  /** Crash an actor as its thread would die: no stop hook, unsynced disk data lost. */
  crash(id: Address): void {
    const a = this.must(id)
    a.cell.kill()
    a.disk?.crash()
    this.note(`crash ${id}`)
  }

  /** Start a crashed or stopped actor again from its creator (and its disk). */
  restart(id: Address): void {
    const a = this.must(id)
    a.cell.kill()
    this.note(`restart ${id}`)
    this.boot(a)
  }

  /** Graceful stop: runs the stop hook. */
  async stop(id: Address): Promise<void> {
    const a = this.must(id)
    this.note(`stop ${id}`)
    await a.cell.stop()
  }

  pause(id: Address): void {
    const a = this.must(id)
    if (!a.paused) a.paused = []
  }

  resume(id: Address): void {
    const a = this.must(id)
    const held = a.paused ?? []
    a.paused = undefined
    for (const env of held) a.cell.deliver(env)
  }

  skewClock(id: Address, ms: number): void {
    this.must(id).skewMs = ms
  }

  /** Drop every message between a member of `a` and a member of `b` (both directions). */
  partition(a: Address[], b: Address[]): () => void {
    const sa = new Set(a)
    const sb = new Set(b)
    const f = (from: Address, to: Address) => !((sa.has(from) && sb.has(to)) || (sb.has(from) && sa.has(to)))
    this.linkFilters.push(f)
    this.note(`partition [${a.join(',')}] | [${b.join(',')}]`)
    return () => {
      const i = this.linkFilters.indexOf(f)
      if (i >= 0) this.linkFilters.splice(i, 1)
    }
  }

  /** Drop each message with probability p (from the seed). */
  dropRate(p: number): () => void {
    const f = () => this.rng() >= p
    this.linkFilters.push(f)
    return () => {
      const i = this.linkFilters.indexOf(f)
      if (i >= 0) this.linkFilters.splice(i, 1)
    }
  }

  /** Delay messages on matching links by ms (+ up to jitterMs, from the seed). */
  delay(sel: LinkSelector & { ms: number; jitterMs?: number }): () => void {
    return this.addRule({ kind: 'delay', ...sel })
  }

  /** Drop matching messages with probability p (from the seed). */
  drop(sel: LinkSelector & { probability: number }): () => void {
    return this.addRule({ kind: 'drop', ...sel })
  }

  /** Deliver matching messages twice with probability p. */
  duplicate(sel: LinkSelector & { probability: number }): () => void {
    return this.addRule({ kind: 'duplicate', ...sel })
  }

  /** Hold each matching message for a random time in [0, windowMs): later ones may overtake. */
  reorder(sel: LinkSelector & { windowMs: number }): () => void {
    return this.addRule({ kind: 'reorder', ...sel })
  }

  /** Every disk operation of `id` fails (code DISK_FAILED) until diskHeal. */
  diskFail(id: Address, err: Error = new DiskFailedError('operation')): void {
    const d = this.must(id).disk
    if (!d) throw new Error(`actor ${id} has no disk`)
    d.failWith = err
    this.note(`disk-fail ${id}`)
  }

  /** Every disk operation of `id` first waits `ms` of virtual time. */
  diskSlow(id: Address, ms: number): void {
    const f = this.must(id).faulty
    if (!f) throw new Error(`actor ${id} has no disk`)
    f.slowMs = ms
    this.note(`disk-slow ${id} ${ms}`)
  }

  diskHeal(id: Address): void {
    const a = this.must(id)
    if (a.disk) a.disk.failWith = undefined
    if (a.faulty) a.faulty.slowMs = 0
    this.note(`disk-heal ${id}`)
  }

  private addRule(r: Omit<LinkRule, 'id'>): () => void {
    const rule = { ...r, id: `r${++this.ruleCounter}` } as LinkRule
    this.linkRules = [...this.linkRules, rule]
    this.note(`link ${rule.kind} ${JSON.stringify(r)}`)
    return () => {
      this.linkRules = this.linkRules.filter((x) => x !== rule)
      this.note(`heal ${rule.kind} ${rule.id}`)
    }
  }

  healAll(): void {
    this.linkFilters.length = 0
    this.linkRules = []
    this.note('heal all')
  }

  /** Schedule a callback at virtual time now + ms (fault timelines in tests). */
  at(ms: number, fn: () => void): void {
    this.queue.push(this.clock + ms, () => fn())
  }

  /** Advance virtual time by `ms`, running everything due. */
  async run(ms: number): Promise<void> {
    const end = this.clock + ms
    while (true) {
      const t = this.queue.peekTime()
      if (t === undefined || t > end) break
      if (t > this.clock) this.clock = t
      this.queue.runNext()
      // Let promise continuations (async behaviours) run before the next event.
      await this.settle()
    }
    this.clock = end
    // Whatever test code started outside an event (a pending disk write, an ask) settles too.
    await drainMicrotasks()
  }

  /** Run until `pred()` holds, checking after each event; false if `timeoutMs` passes first. */
  async runUntil(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = this.clock + timeoutMs
    if (pred()) return true
    while (true) {
      const t = this.queue.peekTime()
      if (t === undefined || t > end) {
        this.clock = end
        return pred()
      }
      if (t > this.clock) this.clock = t
      this.queue.runNext()
      await this.settle()
      if (pred()) return true
    }
  }

  /**
   * Run promise continuations started by the last event: a few microtask generations at once
   * (cheap), and a full drain through the macrotask queue whenever virtual time crosses a
   * millisecond, so that deep async chains also settle before time moves on much.
   */
  private async settle(): Promise<void> {
    for (let i = 0; i < SETTLE_GENERATIONS; i++) await null
    const ms = Math.floor(this.clock)
    if (ms !== this.lastDrainMs) {
      this.lastDrainMs = ms
      await drainMicrotasks()
    }
  }

  note(line: string): void {
    this.trace.push(`${this.clock - this.opts.startTime} ! ${line}`)
  }

  private must(id: Address): SimActor {
    const a = this.actors.get(id)
    if (!a) throw new Error(`no actor ${id}`)
    return a
  }

  private boot(a: SimActor): void {
    const log: Logger = recordingLogger((r) => this.onLog(r), { actor: a.id })
    a.cell = new ActorCell({ id: a.id, host: this.host, log, io: a.io, disk: a.faulty ?? a.disk })
    a.cell.start(a.create)
  }

  private onLog(r: LogRecord): void {
    if (r.level !== 'debug') {
      this.trace.push(`${this.clock - this.opts.startTime} ${r.bindings.actor as string} ${r.level} ${r.msg ?? ''} ${safeJson(r.obj)}`)
    }
    this.opts.onLog?.(r, this.clock)
  }

  private readonly host: CellHost = {
    now: (self) => this.clock + (this.actors.get(self)?.skewMs ?? 0),
    random: () => this.rng(),
    newId: () => `${this.seed.toString(36)}-${(++this.idCounter).toString(36)}`,
    schedule: (ms, fn) => this.queue.push(this.clock + Math.max(0, ms), fn),
    unschedule: (h) => this.queue.cancel(h),
    route: (env) => this.route(env),
    denied: (from, to, type) => {
      this.aclDenied++
      this.note(`acl denied ${from} -> ${to} ${type}`)
    },
    crashed: (id, err) => {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      this.crashes.push({ id, at: this.clock, error })
      this.note(`crashed ${id} ${error}`)
      this.opts.onCrash?.(id, this.clock, error)
    },
    report: (id, state) => {
      const merged = { ...this.reports.get(id), ...state }
      this.reports.set(id, merged)
      this.opts.onReport?.(id, merged, this.clock)
    },
  }

  private route(env: Envelope): void {
    for (const f of this.linkFilters) {
      if (!f(env.from, env.to)) {
        if (this.opts.traceDeliveries) this.trace.push(`${this.clock - this.opts.startTime} x ${env.from}->${env.to} ${env.msg.type}`)
        return
      }
    }
    const copyMessages = this.opts.copyMessages
    const msg = copyMessages ? copyMessage(env.msg) : env.msg
    const [lo, hi] = this.opts.latencyMs
    const lat = lo + this.rng() * (hi - lo)
    if (this.linkRules.length === 0) {
      this.schedule(env, msg, lat)
      return
    }
    const copies = judge(this.linkRules, env.from, env.to, this.rng).copies
    if (copies.length === 0) {
      if (this.opts.traceDeliveries) this.trace.push(`${this.clock - this.opts.startTime} x ${env.from}->${env.to} ${env.msg.type}`)
      return
    }
    for (const extra of copies) {
      const m = copies.length > 1 && copyMessages ? copyMessage(env.msg) : msg
      if (extra > 0) {
        // Held back by a link fault: outside the link's FIFO order, so it may be overtaken.
        this.queue.push(this.clock + lat + extra, this.deliverFn, withMsg(env, m))
        continue
      }
      this.schedule(env, m, lat)
    }
  }

  /** Deliver after `lat`, in FIFO order on the link. */
  private schedule(env: Envelope, msg: Message, lat: number): void {
    let byTo = this.linkClock.get(env.from)
    if (!byTo) this.linkClock.set(env.from, (byTo = new Map()))
    const at = Math.max(this.clock + lat, byTo.get(env.to) ?? 0)
    byTo.set(env.to, at)
    this.queue.push(at, this.deliverFn, withMsg(env, msg))
  }

  private deliver(env: Envelope): void {
    const a = this.actors.get(env.to)
    if (!a || !a.cell.isAlive) return
    if (a.paused) {
      a.paused.push(env)
      return
    }
    this.delivered++
    if (this.opts.traceDeliveries) this.trace.push(`${this.clock - this.opts.startTime} ${env.from}->${env.to} ${env.msg.type}`)
    a.cell.deliver(env)
  }
}

/** The envelope with `msg` in place of its message (same fields, own object). */
function withMsg(env: Envelope, msg: Message): Envelope {
  if (env.corrId === undefined) return { from: env.from, to: env.to, msg }
  return env.reply ? { from: env.from, to: env.to, msg, corrId: env.corrId, reply: env.reply } : { from: env.from, to: env.to, msg, corrId: env.corrId }
}

function safeJson(o: object): string {
  try {
    return JSON.stringify(o, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v))
  } catch {
    return '[unserializable]'
  }
}

const SETTLE_GENERATIONS = 12
const drainMicrotasks = (): Promise<void> => new Promise((r) => setImmediate(r))

/** Seed for a simulation test: SEED from the environment replays a failing run. */
export function testSeed(fallback: number): number {
  const s = process.env.SEED
  return s === undefined || s === '' ? fallback : Number(s)
}
