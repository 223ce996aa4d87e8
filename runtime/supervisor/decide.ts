// The restart decision, OTP-style, as a pure function of data: a supervisor's strategy and
// restart budget, its ordered children, which child exited and how, and the recent restart times.
import type { RestartType } from '../actor.ts'
import type { Strategy } from '../plan.ts'

export interface DecideChild {
  id: string
  restart: RestartType
}

export interface DecideInput {
  strategy: Strategy
  intensity: number
  periodMs: number
  /** Children in start order (actors and nested supervisors). */
  children: readonly DecideChild[]
  /** The child that exited. */
  failed: string
  /** false for a normal exit (graceful stop), true for a crash, thread death or hang. */
  abnormal: boolean
  /** Times of this supervisor's restarts so far (only those within periodMs matter). */
  history: readonly number[]
  now: number
}

export type Decision =
  /** Nothing to restart (temporary child, or transient child exiting normally). */
  | { action: 'ignore'; remove: string[]; history: number[] }
  /** Terminate `terminate` (running siblings), then start `restart` in this order. */
  | { action: 'restart'; terminate: string[]; restart: string[]; remove: string[]; history: number[] }
  /** Restart budget exhausted: terminate every child and fail upward. */
  | { action: 'escalate'; terminate: string[]; history: number[] }

export function decide(i: DecideInput): Decision {
  const idx = i.children.findIndex((c) => c.id === i.failed)
  const window = i.history.filter((t) => t > i.now - i.periodMs)
  const failed = i.children[idx]
  if (!failed) return { action: 'ignore', remove: [], history: window }
  const wanted = failed.restart === 'permanent' || (failed.restart === 'transient' && i.abnormal)
  if (!wanted) return { action: 'ignore', remove: [failed.id], history: window }

  const history = [...window, i.now]
  if (history.length > i.intensity) {
    return { action: 'escalate', terminate: i.children.filter((c) => c.id !== i.failed).map((c) => c.id), history }
  }
  let affected: DecideChild[]
  switch (i.strategy) {
    case 'one_for_one':
      affected = [failed]
      break
    case 'one_for_all':
      affected = [...i.children]
      break
    case 'rest_for_one':
      affected = i.children.slice(idx)
      break
  }
  // Siblings taken down with the failed child; temporary ones are never started again (as in OTP).
  const terminate = affected.filter((c) => c.id !== failed.id).map((c) => c.id)
  const remove = affected.filter((c) => c.restart === 'temporary').map((c) => c.id)
  const restart = affected.filter((c) => c.restart !== 'temporary').map((c) => c.id)
  return { action: 'restart', terminate, restart, remove, history }
}
