// What the supervisor reports about actors and threads (status command, control endpoint).
import type { ActorReport } from '../actor.ts'

export type ActorState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed'

export interface ActorStatus {
  id: string
  thread: string
  state: ActorState
  restarts: number
  startedAt?: number
  lastCrash?: { at: number; reason: string }
  report: ActorReport
}

export type ThreadState = 'starting' | 'running' | 'restarting' | 'hung' | 'stopped'

export interface ThreadStatus {
  name: string
  state: ThreadState
  actors: string[]
  restarts: number
  lastHeartbeat?: number
}

/** A lifecycle/HA event as emitted on the supervisor's 'event' stream and GET /events. */
export interface RuntimeEvent {
  time: number
  event: string
  [k: string]: unknown
}
