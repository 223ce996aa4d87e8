// Messages between the benchmark script (the supervisor's cell on the main thread) and the
// benchmark actors it adds to the plan: the driver (load and observation through the API), the
// fan-out watchers and one memory probe per thread.
import type { Message } from '../../../runtime/actor.ts'

/** Create the namespace if missing. */
export interface NamespaceCmd extends Message {
  type: 'bench.namespace'
  name: string
}

/** Register `count` Ready nodes straight through the API (no kubelet), as scheduler_perf does. */
export interface NodesCmd extends Message {
  type: 'bench.nodes'
  prefix: string
  count: number
  capacity: Record<string, string>
  inflight: number
}

/** Wait until `count` nodes report Ready (watched through the API); replies with the time. */
export interface NodesReadyCmd extends Message {
  type: 'bench.nodes-ready'
  count: number
  timeoutMs: number
}

export interface PodTemplate {
  requests?: Record<string, string>
  /** Bound at creation (skips the scheduler). */
  nodeName?: string
  annotations?: Record<string, string>
  /** A scheduler name nobody serves keeps pods unscheduled (and the scheduler quiet). */
  schedulerName?: string
}

/** Create pods `${prefix}0..count-1` as fast as `inflight` allows; wait for each to reach `until`. */
export interface BurstCmd extends Message {
  type: 'bench.burst'
  namespace: string
  prefix: string
  count: number
  inflight: number
  /** 'created': only the creates are timed (an API baseline; nothing is watched). */
  until: 'created' | 'bound' | 'running'
  template: PodTemplate
  timeoutMs: number
  /** Bind pod i to nodes[i % nodes.length] at creation. */
  nodes?: string[]
}

/** Create pods at `rate`/s for `seconds`, delete each `deleteAfterMs` after it runs; created -> Running. */
export interface ChurnCmd extends Message {
  type: 'bench.churn'
  namespace: string
  prefix: string
  rate: number
  seconds: number
  deleteAfterMs: number
  template: PodTemplate
  timeoutMs: number
}

/** Create one object and wait for the first sign that the active leader acted on it. */
export interface ActCmd extends Message {
  type: 'bench.act'
  namespace: string
  name: string
  /** 'bind': an unbound pod until spec.nodeName is set; 'replicate': a ReplicaSet until its first pod exists. */
  what: 'bind' | 'replicate'
  timeoutMs: number
}

/** Fan-out writes: `count` pods created one by one, `gapMs` apart; the time of each send and reply. */
export interface WritesCmd extends Message {
  type: 'bench.writes'
  namespace: string
  prefix: string
  count: number
  gapMs: number
  template: PodTemplate
}

export type DriverCmd = NamespaceCmd | NodesCmd | NodesReadyCmd | BurstCmd | ChurnCmd | ActCmd | WritesCmd

/** Every driver reply: timings in ms since the epoch, per-object figures in ms. */
export interface DriverReply extends Message {
  type: 'bench.reply'
  ok: boolean
  error?: string
  /** Errors by code or message, with counts. */
  errors?: Record<string, number>
  startedAt?: number
  /** The last create answered. */
  createdAt?: number
  /** The last object reached its goal. */
  doneAt?: number
  /** Objects that reached their goal. */
  done?: number
  /** Per object: created (request sent) -> goal, ms. */
  latencies?: number[]
  /** Per object: request sent -> create answered, ms. */
  createLatencies?: number[]
  /** bench.writes: per write, [name, sentAt, answeredAt]. */
  writes?: Array<[string, number, number]>
  /** Pods still unscheduled or not running at the deadline (a sample). */
  stuck?: string[]
}

/** Ask a watcher for the time it received each pod's ADDED event. */
export interface ReceiptsCmd extends Message {
  type: 'bench.receipts'
}

export interface ReceiptsReply extends Message {
  type: 'bench.receipts.reply'
  times: Record<string, number>
  closed: number
}

/** Ask a probe for its thread's heap (after a full GC when the process allows it). */
export interface MemCmd extends Message {
  type: 'bench.mem'
}

export interface MemReply extends Message {
  type: 'bench.mem.reply'
  thread: string
  heapUsed: number
  /** The thread's V8 heap as reserved (used or not), and its memory outside the heap (buffers). */
  heapTotal: number
  /** Of heapTotal, what is resident (touched pages). */
  heapPhysical: number
  /** Memory V8 allocated with malloc (outside its heap pages). */
  malloced: number
  /** Each heap space's reserved and used bytes (new_space, old_space, code_space, ...). */
  spaces: Record<string, { size: number; used: number; physical: number }>
  external: number
  rss: number
  gc: boolean
}
