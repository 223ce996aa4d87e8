// Rate limiters for the work queue, as client-go's: per-key exponential backoff (base doubling
// to a cap) and an overall token bucket. Pure: time is passed in.

export class ExponentialBackoff {
  private readonly failures = new Map<string, number>()
  constructor(private readonly baseMs: number, private readonly maxMs: number) {}

  /** Delay for this key's next retry; counts the failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0
    this.failures.set(key, n + 1)
    return Math.min(this.maxMs, this.baseMs * 2 ** n)
  }

  forget(key: string): void {
    this.failures.delete(key)
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0
  }
}

export class TokenBucket {
  private tokens: number
  private last: number | undefined
  constructor(private readonly qps: number, private readonly burst: number) {
    this.tokens = burst
  }

  /** Take one token at time `now`; returns how long to wait before the taken token is valid. */
  reserve(now: number): number {
    if (this.last !== undefined) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000)
    this.last = now
    this.tokens -= 1
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps
  }
}
