// ActorCell: one running actor. Builds its Ctx on top of a CellHost (the worker host or the
// simulator), keeps its pending asks and timers, and turns throws into crashes.
import type { ActorReport, Address, Behaviour, Ctx, Disk, Logger, Message, MsgMeta, TimerId } from './actor.ts'
import type { Io } from './io/index.ts'
import { aclAllows } from './address.ts'
import { AclDeniedError, AskTimeoutError } from './errors.ts'

export interface Envelope {
  from: Address
  to: Address
  msg: Message
  corrId?: string
  /** Set on replies to an ask: delivered to the pending promise, not to the behaviour. */
  reply?: true
}

export interface CellHost {
  now(self: Address): number
  random(): number
  newId(): string
  schedule(ms: number, fn: () => void): unknown
  unschedule(handle: unknown): void
  route(env: Envelope): void
  /** Called when the ACL refuses a message (logged and counted by the host). */
  denied(from: Address, to: Address, type: string): void
  crashed(id: Address, err: unknown): void
  report(id: Address, state: ActorReport): void
}

export interface CellOptions {
  id: Address
  host: CellHost
  log: Logger
  io: Io
  disk?: Disk
}

/** Destinations whose ACL answer a cell remembers before it starts over. */
const ACL_CACHE_MAX = 1024

interface Pending {
  resolve(m: Message): void
  reject(e: Error): void
  handle: unknown
}

export class ActorCell {
  readonly id: Address
  readonly ctx: Ctx
  behaviour: Behaviour | undefined
  private alive = true
  private readonly host: CellHost
  private readonly pending = new Map<string, Pending>()
  private readonly timers = new Map<number, unknown>()
  private nextTimer = 1

  constructor(opts: CellOptions) {
    this.id = opts.id
    this.host = opts.host
    this.ctx = this.makeCtx(opts)
  }

  get isAlive(): boolean {
    return this.alive
  }

  /** Create the behaviour and run its start hook. */
  start(create: (ctx: Ctx) => Behaviour): void {
    this.guard(() => {
      this.behaviour = create(this.ctx)
      return this.behaviour.start?.()
    })
  }

  deliver(env: Envelope): void {
    if (!this.alive) return
    if (env.reply) {
      const p = env.corrId === undefined ? undefined : this.pending.get(env.corrId)
      if (!p) return // late reply to an ask that already timed out
      this.pending.delete(env.corrId as string)
      this.host.unschedule(p.handle)
      p.resolve(env.msg)
      return
    }
    const b = this.behaviour
    if (!b) return
    const meta: MsgMeta = env.corrId === undefined ? { from: env.from } : { from: env.from, corrId: env.corrId }
    let r: void | Promise<void>
    try {
      r = b.receive(env.msg, meta)
    } catch (err) {
      this.crash(err)
      return
    }
    if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).then(undefined, (err: unknown) => this.crash(err))
  }

  /** Graceful stop: run the stop hook, then discard. */
  async stop(): Promise<void> {
    if (!this.alive) return
    try {
      await this.behaviour?.stop?.()
    } finally {
      this.kill()
    }
  }

  /** Discard at once (crash, thread death): timers cancelled, pending asks never settle. */
  kill(): void {
    this.alive = false
    for (const h of this.timers.values()) this.host.unschedule(h)
    this.timers.clear()
    for (const p of this.pending.values()) this.host.unschedule(p.handle)
    this.pending.clear()
  }

  private guard(fn: () => void | Promise<void>): void {
    try {
      const r = fn()
      if (r && typeof (r as Promise<void>).then === 'function') {
        ;(r as Promise<void>).then(undefined, (err: unknown) => this.crash(err))
      }
    } catch (err) {
      this.crash(err)
    }
  }

  private crash(err: unknown): void {
    if (!this.alive) return
    this.kill()
    this.host.crashed(this.id, err)
  }

  private makeCtx(opts: CellOptions): Ctx {
    const host = this.host
    const self = opts.id
    // The ACL is a pure function of the two names: remember each destination's answer.
    const acl = new Map<Address, boolean>()
    const allowed = (to: Address): boolean => {
      let ok = acl.get(to)
      if (ok === undefined) {
        ok = aclAllows(self, to)
        if (acl.size >= ACL_CACHE_MAX) acl.clear()
        acl.set(to, ok)
      }
      return ok
    }
    const route = (to: Address, msg: Message, corrId?: string, reply?: true): boolean => {
      if (!this.alive) return false
      if (!allowed(to)) {
        host.denied(self, to, msg.type)
        return false
      }
      const env: Envelope = corrId === undefined ? { from: self, to, msg } : reply ? { from: self, to, msg, corrId, reply } : { from: self, to, msg, corrId }
      host.route(env)
      return true
    }
    const ctx: Ctx = {
      self,
      log: opts.log,
      io: opts.io,
      disk: opts.disk,
      send: (to, msg) => {
        route(to, msg)
      },
      ask: <R extends Message>(to: Address, msg: Message, o: { timeoutMs: number }) =>
        new Promise<R>((resolve, reject) => {
          if (!allowed(to)) {
            host.denied(self, to, msg.type)
            reject(new AclDeniedError(self, to))
            return
          }
          const corrId = host.newId()
          const handle = host.schedule(o.timeoutMs, () => {
            if (this.pending.delete(corrId)) reject(new AskTimeoutError(to, msg.type, o.timeoutMs))
          })
          this.pending.set(corrId, { resolve: resolve as (m: Message) => void, reject, handle })
          route(to, msg, corrId)
        }),
      reply: (meta, msg) => {
        if (meta.corrId === undefined) route(meta.from, msg)
        else route(meta.from, msg, meta.corrId, true)
      },
      after: (ms, msg): TimerId => {
        const id = this.nextTimer++
        const h = host.schedule(ms, () => {
          this.timers.delete(id)
          this.deliver({ from: self, to: self, msg })
        })
        this.timers.set(id, h)
        return id
      },
      cancel: (id) => {
        const h = this.timers.get(id)
        if (h !== undefined) {
          this.timers.delete(id)
          host.unschedule(h)
        }
      },
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          const id = this.nextTimer++
          const h = host.schedule(ms, () => {
            this.timers.delete(id)
            if (this.alive) resolve()
          })
          this.timers.set(id, h)
        }),
      now: () => host.now(self),
      random: () => host.random(),
      newId: () => host.newId(),
      report: (state) => host.report(self, state),
    }
    return ctx
  }
}
