// Messages between the main thread and a worker host over the worker's MessagePort.
// Actor envelopes travel as packed batches (Uint8Array, buffer transferred); control messages
// are small structured-clone objects. Batches between two worker threads go over a direct link
// (runtime/transport/mesh.ts) once the supervisor has wired one, and through here until then.
import type { ActorReport, ActorSpec } from '../actor.ts'
import type { MessagePort } from 'node:worker_threads'
import type { LinkRule } from '../faults/types.ts'

export interface WorkerInit {
  /** '' for a standby host, assigned a thread later. */
  thread: string
  registry: string
  port: MessagePort
  heartbeatMs: number
  dataDir: string
  fsync: boolean
  io: boolean
  /** Actor id -> thread, for routing; 'main' for the supervisor. */
  routes: Record<string, string>
  links: LinkRule[]
  /** Ask for direct links to the threads this one sends to (false: relay everything). */
  direct: boolean
  /** Lowest log level worth sending to the main thread (records with an `event` always go). */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
}

export type WorkerFault =
  | { f: 'crash'; id: string }
  | { f: 'exit' }
  | { f: 'hang'; ms?: number }
  | { f: 'pause'; id: string }
  | { f: 'resume'; id: string }
  | { f: 'skew'; id: string; ms: number }
  | { f: 'disk-slow'; id: string; ms: number }
  | { f: 'disk-fail'; id: string }
  | { f: 'disk-heal'; id: string }

export type ToWorker =
  | { t: 'spawn'; spec: ActorSpec }
  | { t: 'kill'; id: string }
  | { t: 'stop'; id: string }
  | { t: 'batch'; buf: Uint8Array }
  | { t: 'routes'; set: Record<string, string>; del?: string[] }
  | { t: 'links'; rules: LinkRule[] }
  | { t: 'fault'; fault: WorkerFault }
  | { t: 'shutdown' }
  /** Turns a standby host into the host of `thread`. */
  | { t: 'assign'; thread: string; routes: Record<string, string>; links: LinkRule[] }
  /** A direct link to thread `peer` (the other end went to `peer`). */
  | { t: 'link'; peer: string; id: number; port: MessagePort }
  /** Relayed marker: batches `peer` relayed to this thread before using link `id` are all here. */
  | { t: 'linked'; peer: string; id: number }
  /** Thread `peer` is gone: drop the link to it, relay until a new one is wired. */
  | { t: 'unlink'; peer: string }

export interface WireLog {
  level: 'debug' | 'info' | 'warn' | 'error'
  time: number
  bindings: Record<string, unknown>
  obj: Record<string, unknown>
  msg?: string
}

export type FromWorker =
  /** Loaded; `tid` is the thread's OS id where known (for its CPU time in the hang check). */
  | { t: 'ready'; tid?: number }
  | { t: 'exiting'; code: number }
  | { t: 'hb'; at: number }
  | { t: 'started'; id: string }
  | { t: 'crashed'; id: string; reason: string }
  | { t: 'stopped'; id: string }
  | { t: 'report'; id: string; state: ActorReport }
  | { t: 'batch'; dest: string; buf: Uint8Array; count: number }
  | { t: 'logs'; records: WireLog[] }
  | { t: 'denied'; from: string; to: string; type: string }
  /** This thread sends to thread `peer`: wire a direct link. */
  | { t: 'want'; peer: string }
  /** The marker of link `id`, to be passed on to `peer` in order with relayed batches. */
  | { t: 'linked'; peer: string; id: number }
  /** Module loading began (`on`) or ended: the thread may not answer heartbeats meanwhile. */
  | { t: 'loading'; on: boolean }
