// The actor API: what a behaviour sees. Hosts (worker threads, the simulator) implement Ctx;
// behaviours never touch timers, the clock, randomness, files or sockets except through it.
import type { Io } from './io/index.ts'

export type Address = string

/** Every message is a plain, MessagePack-encodable object discriminated on `type`. */
export interface Message {
  readonly type: string
}

/** Delivery metadata. `corrId` is set when the sender awaits a reply (ctx.ask). */
export interface MsgMeta {
  from: Address
  corrId?: string
}

export type TimerId = number

export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
}

/**
 * Durable files owned by one actor (a directory of its own). `append` buffers, `sync` makes
 * appended data durable (fsync), `writeAtomic` replaces a whole file durably.
 * In the simulator, data not yet synced is lost when the actor's "machine" crashes.
 */
export interface Disk {
  read(name: string): Promise<Uint8Array | undefined>
  append(name: string, data: Uint8Array): Promise<void>
  sync(name: string): Promise<void>
  writeAtomic(name: string, data: Uint8Array): Promise<void>
  truncate(name: string, size: number): Promise<void>
  remove(name: string): Promise<void>
  list(): Promise<string[]>
}

export interface AskOptions {
  timeoutMs: number
}

export interface Ctx {
  readonly self: Address
  /** Fire and forget; routed, ACL-checked, encoded when it crosses a thread. */
  send(to: Address, msg: Message): void
  /**
   * Request/response with a correlation id. Resolves with the reply message, whatever its type
   * (typed rejections are replies too); rejects with AskTimeoutError (code ASK_TIMEOUT) or
   * AclDeniedError (code ACL_DENIED).
   */
  ask<R extends Message = Message>(to: Address, msg: Message, opts: AskOptions): Promise<R>
  /** Answer a request received with a corrId. Replies to a tell are sent as plain tells. */
  reply(meta: MsgMeta, msg: Message): void
  /** Deliver `msg` to self after `ms` (virtual in the simulator). */
  after(ms: number, msg: Message): TimerId
  cancel(id: TimerId): void
  /** A promise that resolves after `ms`; for backoff loops in async code. */
  sleep(ms: number): Promise<void>
  /** Milliseconds since the epoch (virtual, and skewable by fault injection). */
  now(): number
  /** Uniform in [0, 1), seeded in the simulator. */
  random(): number
  /** A fresh unique id (uids, correlation ids); deterministic in the simulator. */
  newId(): string
  readonly log: Logger
  /** Present only for actors whose spec asks for storage. */
  readonly disk?: Disk
  /** Real I/O adapters injected by the host; the simulator supplies fakes or leaves them out. */
  readonly io: Io
  /** Report a state to the supervisor (ready, not-ready, leader, ...) for status and the HA timeline. */
  report(state: ActorReport): void
}

export interface ActorReport {
  ready?: boolean
  /** Free-form role details shown by `actorkube status` (leader, term, holder, ...). */
  info?: Record<string, unknown>
}

/**
 * A behaviour. `receive` may be async: the host does not serialize async handlers, and a
 * rejected promise (like a throw) crashes the actor ("let it crash"); the supervisor restarts it.
 */
export interface Behaviour {
  start?(): void | Promise<void>
  receive(msg: Message, meta: MsgMeta): void | Promise<void>
  /** Graceful stop (supervisor shutdown, `actorkube down`): release leases, transfer leadership. */
  stop?(): void | Promise<void>
}

export type ActorFactory<A = unknown> = (ctx: Ctx, args: A) => Behaviour

export type RestartType = 'permanent' | 'transient' | 'temporary'

export interface ActorSpec {
  id: Address
  /** Key into actors/registry.ts */
  kind: string
  args: unknown
  restart?: RestartType
  /** Actors that own data get a Disk rooted at <dataDir>/<id>. */
  storage?: 'disk' | 'memory'
}
