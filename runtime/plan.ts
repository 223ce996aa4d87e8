// A cluster plan: what the supervisor starts, where, and how it restarts it. Built from a
// topology (actors/plan.ts knows the Kubernetes components); the runtime only interprets it.
import type { ActorSpec, RestartType } from './actor.ts'

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one'

export interface Backoff {
  initialMs: number
  maxMs: number
  /** 0..1: each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number
}

export interface ChildSpec {
  spec: ActorSpec
  /** Name of the worker thread that hosts it. */
  thread: string
  restart: RestartType
  backoff: Backoff
}

/** A supervisor node: children are actors or nested supervisors (escalation goes upward). */
export interface SupervisorSpec {
  id: string
  strategy: Strategy
  /** More than `intensity` restarts within `periodMs` -> this supervisor gives up and escalates. */
  intensity: number
  periodMs: number
  children: Array<ChildSpec | SupervisorSpec>
}

export interface ClusterPlan {
  root: SupervisorSpec
  /** Heartbeat interval and the silence after which a thread counts as hung. */
  heartbeatMs: number
  hangTimeoutMs: number
  /**
   * How long a thread may take to load its modules (at start, or an actor kind's on first use)
   * before it counts as hung; heartbeats missed while it loads do not count. Default: the larger
   * of 60 s and 20 x hangTimeoutMs.
   */
  startTimeoutMs?: number
  dataDir: string
  /** Each worker thread's V8 heap limits in MiB (Worker resourceLimits); V8's defaults when absent. */
  threadHeap?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number }
  /** Disk sync policy for actors with storage. */
  fsync: boolean
}

export function isSupervisorSpec(c: ChildSpec | SupervisorSpec): c is SupervisorSpec {
  return (c as SupervisorSpec).children !== undefined
}
