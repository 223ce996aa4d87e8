// The Job decision: pods to create or delete for completions and parallelism, the
// succeeded/failed counts, and the Complete/Failed conditions (backoffLimit,
// activeDeadlineSeconds). Pure: time passed in.
import type { Pod } from '../../protocols/k8s.ts'
import { isPodActive, isPodReady } from './pods.ts'
import type { Job, JobCondition } from './workload-types.ts'

export type JobStatus = NonNullable<Job['status']>

export interface JobDecision {
  create: number
  delete: Pod[]
  status: JobStatus
  /** Set when the job just finished: the condition to report as an event. */
  finished?: { type: 'Complete' | 'Failed'; reason: string; message: string }
  /** When to look again for activeDeadlineSeconds (ms since epoch). */
  recheckAt?: number
}

export function isJobFinished(j: Job): boolean {
  return (j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
}

export function decideJob(job: Job, owned: Pod[], now: number): JobDecision {
  const nowIso = new Date(now).toISOString()
  const prev = job.status ?? {}
  const active = owned.filter(isPodActive)
  const succeeded = Math.max(prev.succeeded ?? 0, owned.filter((p) => p.status?.phase === 'Succeeded').length)
  const failed = Math.max(prev.failed ?? 0, owned.filter((p) => p.status?.phase === 'Failed').length)
  const status: JobStatus = { ...prev, active: active.length, succeeded, failed, ready: active.filter(isPodReady).length }
  if (!status.startTime && !job.spec.suspend) status.startTime = nowIso
  if (isJobFinished(job)) return { create: 0, delete: active, status: { ...status, active: active.length } }

  const parallelism = job.spec.parallelism ?? 1
  const completions = job.spec.completions
  const backoffLimit = job.spec.backoffLimit ?? 6
  const finish = (type: 'Complete' | 'Failed', reason: string, message: string): JobDecision => {
    const cond: JobCondition = { type, status: 'True', reason, message, lastProbeTime: nowIso, lastTransitionTime: nowIso }
    const st: JobStatus = { ...status, conditions: [...(prev.conditions ?? []), cond] }
    if (type === 'Complete') st.completionTime = nowIso
    return { create: 0, delete: active, status: st, finished: { type, reason, message } }
  }

  if (failed > backoffLimit) return finish('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')
  let recheckAt: number | undefined
  if (job.spec.activeDeadlineSeconds !== undefined && status.startTime) {
    const deadline = Date.parse(status.startTime) + job.spec.activeDeadlineSeconds * 1000
    if (now >= deadline) return finish('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')
    recheckAt = deadline
  }
  if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
    return finish('Complete', 'Completed', 'Job completed')
  }
  if (job.spec.suspend) return { create: 0, delete: active, status, recheckAt }
  // Work-queue mode (no completions): after a success no new pods, the running ones finish.
  const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? active.length : parallelism
  const diff = want - active.length
  const del = diff < 0 ? [...active].sort((a, b) => (isPodReady(a) ? 1 : 0) - (isPodReady(b) ? 1 : 0)).slice(0, -diff) : []
  // Replacements for failed pods wait base * 2^(failures-1), capped (the job controller's backoff).
  if (diff > 0 && failed > 0) {
    const last = lastFailureMs(owned)
    if (last !== undefined) {
      const until = last + Math.min(JOB_BACKOFF_BASE_MS * 2 ** (failed - 1), JOB_BACKOFF_MAX_MS)
      if (now < until) return { create: 0, delete: del, status, recheckAt: recheckAt === undefined ? until : Math.min(recheckAt, until) }
    }
  }
  return { create: Math.max(0, diff), delete: del, status, recheckAt }
}

export const JOB_BACKOFF_BASE_MS = 10_000
export const JOB_BACKOFF_MAX_MS = 360_000

/** When the most recent failed pod finished, from its container states (or its conditions). */
export function lastFailureMs(pods: Pod[]): number | undefined {
  let last: number | undefined
  for (const p of pods) {
    if (p.status?.phase !== 'Failed') continue
    const times = [
      ...(p.status.containerStatuses ?? []).map((c) => c.state.terminated?.finishedAt),
      ...(p.status.conditions ?? []).map((c) => c.lastTransitionTime),
    ].filter((x): x is string => typeof x === 'string').map((x) => Date.parse(x)).filter(Number.isFinite)
    if (times.length > 0) last = Math.max(last ?? -Infinity, ...times)
  }
  return last
}
