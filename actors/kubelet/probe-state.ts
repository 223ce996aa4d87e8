// One probe's result with Kubernetes' thresholds: the result flips to failure after
// failureThreshold consecutive failures and to success after successThreshold successes.
import type { Probe } from '../../protocols/k8s.ts'
import type { ProbeKind, ProbeResult } from './cri.ts'

export interface ProbeTiming {
  initialDelayMs: number
  periodMs: number
  timeoutMs: number
  successThreshold: number
  failureThreshold: number
}

/** Defaults as in the Kubernetes API: period 10 s, timeout 1 s, success 1, failure 3. */
export function probeTiming(p: Probe, kind: ProbeKind): ProbeTiming {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    // liveness and startup probes must have successThreshold 1
    successThreshold: kind === 'readiness' ? Math.max(1, p.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  }
}

export class ProbeState {
  /** Readiness starts as failure (not ready until proven), liveness as success, startup as failure. */
  result: ProbeResult
  private successes = 0
  private failures = 0

  constructor(readonly kind: ProbeKind, readonly timing: ProbeTiming) {
    this.result = kind === 'liveness' ? 'success' : 'failure'
  }

  /** Record one attempt; returns true when the overall result changed. */
  record(r: ProbeResult): boolean {
    if (r === 'success') {
      this.failures = 0
      this.successes++
      if (this.result !== 'success' && this.successes >= this.timing.successThreshold) {
        this.result = 'success'
        return true
      }
    } else {
      this.successes = 0
      this.failures++
      if (this.result !== 'failure' && this.failures >= this.timing.failureThreshold) {
        this.result = 'failure'
        return true
      }
      // A startup probe that never succeeded counts failures too: the caller checks `exhausted`.
    }
    return false
  }

  /** A startup probe that failed failureThreshold times in a row before ever succeeding. */
  exhausted(): boolean {
    return this.kind === 'startup' && this.result === 'failure' && this.failures >= this.timing.failureThreshold
  }

  consecutiveFailures(): number {
    return this.failures
  }
}
