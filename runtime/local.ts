// LocalSystem: actors in the current thread in real time, with the same spawn API as the
// simulator. For end-to-end tests and debugging without worker threads; messages are still
// copied through MessagePack so no object is shared.
import { pack, unpack } from 'msgpackr'
import type { ActorReport, Address, Behaviour, Ctx, Disk, Logger, Message } from './actor.ts'
import type { Io } from './io/index.ts'
import { ActorCell, type CellHost, type Envelope } from './cell.ts'
import { recordingLogger, type LogRecord } from './log.ts'

export interface LocalOptions {
  /** Log sink; defaults to dropping records. */
  onLog?: (r: LogRecord) => void
  io?: Io
}

interface LocalActor {
  id: Address
  create: (ctx: Ctx) => Behaviour
  cell: ActorCell
  disk?: Disk
  io: Io
}

export class LocalSystem {
  readonly crashes: Array<{ id: Address; at: number; error: string }> = []
  readonly reports = new Map<Address, ActorReport>()
  aclDenied = 0
  private readonly actors = new Map<Address, LocalActor>()
  private idCounter = 0
  private readonly idPrefix = Math.floor(Math.random() * 2 ** 32).toString(36)

  constructor(private readonly opts: LocalOptions = {}) {}

  spawn(id: Address, create: (ctx: Ctx) => Behaviour, opts: { disk?: Disk; io?: Io } = {}): Ctx {
    if (this.actors.has(id)) throw new Error(`actor ${id} already exists`)
    const a: LocalActor = { id, create, disk: opts.disk, io: opts.io ?? this.opts.io ?? {}, cell: undefined as unknown as ActorCell }
    this.actors.set(id, a)
    this.boot(a)
    return a.cell.ctx
  }

  client(id: Address): Ctx {
    return this.spawn(id, () => ({ receive: () => {} }))
  }

  has(id: Address): boolean {
    return this.actors.get(id)?.cell.isAlive ?? false
  }

  behaviour(id: Address): Behaviour | undefined {
    return this.actors.get(id)?.cell.behaviour
  }

  crash(id: Address): void {
    this.must(id).cell.kill()
  }

  restart(id: Address): void {
    const a = this.must(id)
    a.cell.kill()
    this.boot(a)
  }

  async stop(id: Address): Promise<void> {
    await this.must(id).cell.stop()
  }

  /** Stop every actor gracefully (stop hooks run), in reverse start order. */
  async shutdown(): Promise<void> {
    for (const a of [...this.actors.values()].reverse()) {
      try {
        await a.cell.stop()
      } catch {
        a.cell.kill()
      }
    }
  }

  /** Wait until `pred()` holds (polling every 10 ms); false after timeoutMs. */
  async waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) {
      if (pred()) return true
      await new Promise((r) => setTimeout(r, 10))
    }
    return pred()
  }

  private must(id: Address): LocalActor {
    const a = this.actors.get(id)
    if (!a) throw new Error(`no actor ${id}`)
    return a
  }

  private boot(a: LocalActor): void {
    const sink = this.opts.onLog ?? (() => {})
    const log: Logger = recordingLogger(sink, { actor: a.id })
    a.cell = new ActorCell({ id: a.id, host: this.host, log, io: a.io, disk: a.disk })
    a.cell.start(a.create)
  }

  private readonly host: CellHost = {
    now: () => Date.now(),
    random: () => Math.random(),
    newId: () => `${this.idPrefix}-${(++this.idCounter).toString(36)}`,
    schedule: (ms, fn) => setTimeout(fn, Math.max(0, ms)),
    unschedule: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    route: (env: Envelope) => {
      const msg = unpack(pack(env.msg)) as Message
      const copy: Envelope = { ...env, msg }
      setImmediate(() => {
        const a = this.actors.get(copy.to)
        if (a && a.cell.isAlive) a.cell.deliver(copy)
      })
    },
    denied: () => {
      this.aclDenied++
    },
    crashed: (id, err) => {
      const error = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err)
      this.crashes.push({ id, at: Date.now(), error })
      this.opts.onLog?.({ level: 'error', bindings: { actor: id }, obj: { event: 'actor.crashed', reason: error }, msg: 'actor.crashed' })
    },
    report: (id, state) => {
      this.reports.set(id, { ...this.reports.get(id), ...state })
    },
  }
}
