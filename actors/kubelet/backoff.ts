// CrashLoopBackOff per container: initialMs doubling to maxMs; a container that ran for
// resetMs before exiting starts again from initialMs (the kubelet's backoff GC).
export interface BackoffConfig {
  initialMs: number
  maxMs: number
  resetMs: number
}

export class CrashBackoff {
  private readonly entries = new Map<string, { delayMs: number; lastExitAt: number }>()

  constructor(private readonly cfg: BackoffConfig) {}

  /**
   * Record an exit at `now` of a container that had started at `startedAt`; returns the delay
   * before it may start again.
   */
  next(key: string, startedAt: number, now: number): number {
    const prev = this.entries.get(key)
    const ranLong = now - startedAt >= this.cfg.resetMs
    const delayMs = !prev || ranLong ? this.cfg.initialMs : Math.min(prev.delayMs * 2, this.cfg.maxMs)
    this.entries.set(key, { delayMs, lastExitAt: now })
    return delayMs
  }

  forget(key: string): void {
    this.entries.delete(key)
  }

  forgetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k)
  }
}
