// Restart backoff with jitter: initialMs doubling per recent restart, capped at maxMs, each
// delay multiplied by a factor in [1 - jitter, 1 + jitter].
import type { Backoff } from '../plan.ts'

/** `attempt` counts restarts of this child within the supervisor's period, starting at 1. */
export function backoffDelay(b: Backoff, attempt: number, random: () => number): number {
  if (attempt <= 1 && b.initialMs <= 0) return 0
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt - 1))
  const factor = 1 - b.jitter + 2 * b.jitter * random()
  return Math.max(0, Math.round(base * factor))
}
