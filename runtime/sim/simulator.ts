// The deterministic simulator: the same behaviours in one thread, a virtual clock, a seeded
// PRNG, seeded delivery latency. Same seed -> same trace.
import { pack, unpack } from 'msgpackr'
import type { ActorReport, Address, Behaviour, Ctx, Logger, Message } from '../actor.ts'
import type { Io } from '../io/index.ts'
import { ActorCell, type CellHost, type Envelope } from '../cell.ts'
import { recordingLogger, type LogRecord } from '../log.ts'
import { seededRandom, type Rng } from '../random.ts'
import { MemDisk } from './mem-disk.ts'
import { EventQueue } from './event-queue.ts'

export interface SimOptions {
  seed: number
  /** One-way delivery latency range in virtual ms. */
  latencyMs?: [number, number]
  /** Virtual epoch at start. */
  startTime?: number
  /** Encode/decode every message through MessagePack (catches shared objects). Default true. */
  copyMessages?: boolean
  /** Keep delivery lines in the trace (default true). */
  traceDeliveries?: boolean
  /** Called with each log record (for printing while debugging). */
  onLog?: (r: LogRecord, now: number) => void
}

export type Creator = (ctx: Ctx) => Behaviour

interface SimActor {
  id: Address
  create: Creator
  cell: ActorCell
  disk?: MemDisk
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
  private readonly linkClock = new Map<string, number>()
  private readonly opts: Required<Omit<SimOptions, 'onLog'>> & Pick<SimOptions, 'onLog'>
  private idCounter = 0
  /** Link filter for partitions and drops: return false to drop. */
  private readonly linkFilters: Array<(from: Address, to: Address) => boolean> = []

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

  healAll(): void {
    this.linkFilters.length = 0
    this.note('heal all')
  }

  /** Schedule a callback at virtual time now + ms (fault timelines in tests). */
  at(ms: number, fn: () => void): void {
    this.queue.push(this.clock + ms, fn)
  }

  /** Advance virtual time by `ms`, running everything due. */
  async run(ms: number): Promise<void> {
    const end = this.clock + ms
    while (true) {
      const t = this.queue.peekTime()
      if (t === undefined || t > end) break
      const fn = this.queue.pop() as () => void
      if (t > this.clock) this.clock = t
      fn()
      // Let promise continuations (async behaviours) run before the next event.
      await drainMicrotasks()
    }
    this.clock = end
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
      const fn = this.queue.pop() as () => void
      if (t > this.clock) this.clock = t
      fn()
      await drainMicrotasks()
      if (pred()) return true
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
    a.cell = new ActorCell({ id: a.id, host: this.host, log, io: a.io, disk: a.disk })
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
    unschedule: (h) => this.queue.cancel(h as number),
    route: (env) => this.route(env),
    denied: (from, to, type) => {
      this.aclDenied++
      this.note(`acl denied ${from} -> ${to} ${type}`)
    },
    crashed: (id, err) => {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      this.crashes.push({ id, at: this.clock, error })
      this.note(`crashed ${id} ${error}`)
    },
    report: (id, state) => {
      this.reports.set(id, { ...this.reports.get(id), ...state })
    },
  }

  private route(env: Envelope): void {
    for (const f of this.linkFilters) {
      if (!f(env.from, env.to)) {
        if (this.opts.traceDeliveries) this.trace.push(`${this.clock - this.opts.startTime} x ${env.from}->${env.to} ${env.msg.type}`)
        return
      }
    }
    const msg = this.opts.copyMessages ? (unpack(pack(env.msg)) as Message) : env.msg
    const [lo, hi] = this.opts.latencyMs
    const lat = lo + this.rng() * (hi - lo)
    const link = `${env.from}>${env.to}`
    const at = Math.max(this.clock + lat, this.linkClock.get(link) ?? 0)
    this.linkClock.set(link, at)
    const copy: Envelope = { ...env, msg }
    this.queue.push(at, () => this.deliver(copy))
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

function safeJson(o: object): string {
  try {
    return JSON.stringify(o, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v))
  } catch {
    return '[unserializable]'
  }
}

const drainMicrotasks = (): Promise<void> => new Promise((r) => setImmediate(r))

/** Seed for a simulation test: SEED from the environment replays a failing run. */
export function testSeed(fallback: number): number {
  const s = process.env.SEED
  return s === undefined || s === '' ? fallback : Number(s)
}
