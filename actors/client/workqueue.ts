// WorkQueue: client-go's rate-limited work queue. Keys are de-duplicated, a key is never handed
// to two workers at once (a key added while processing is queued again when it is done), and a
// failing reconcile is retried with per-key exponential backoff under an overall token bucket.
import type { Ctx } from '../../runtime/actor.ts'
import { ExponentialBackoff, TokenBucket } from './rate-limiter.ts'

export interface WorkQueueOptions {
  name: string
  baseDelayMs?: number
  maxDelayMs?: number
  /** Overall retry rate (token bucket); absent: unlimited. */
  qps?: number
  burst?: number
}

/** Longest run of reconciles without a turn of the thread's event loop. */
const SLICE_MS = 20

export class WorkQueue {
  private readonly queue: string[] = []
  private head = 0
  private readonly dirty = new Set<string>()
  private readonly processing = new Set<string>()
  private waiters: Array<(key: string | undefined) => void> = []
  private shuttingDown = false
  private readonly backoff: ExponentialBackoff
  private readonly bucket: TokenBucket | undefined
  private readonly log

  constructor(private readonly ctx: Ctx, readonly opts: WorkQueueOptions) {
    this.backoff = new ExponentialBackoff(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1000)
    this.bucket = opts.qps ? new TokenBucket(opts.qps, opts.burst ?? Math.max(1, opts.qps)) : undefined
    this.log = ctx.log.child({ queue: opts.name })
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return
    this.dirty.add(key)
    if (this.processing.has(key)) return
    const w = this.waiters.shift()
    if (w) w(key)
    else this.queue.push(key)
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return
    if (ms <= 0) {
      this.add(key)
      return
    }
    void this.ctx.sleep(ms).then(() => this.add(key))
  }

  addRateLimited(key: string): void {
    const d = this.backoff.when(key)
    const b = this.bucket ? this.bucket.reserve(this.ctx.now()) : 0
    this.addAfter(key, Math.max(d, b))
  }

  forget(key: string): void {
    this.backoff.forget(key)
  }

  numRequeues(key: string): number {
    return this.backoff.retries(key)
  }

  /** Keys waiting (not counting those being processed). */
  len(): number {
    return this.queue.length - this.head
  }

  shutDown(): void {
    this.shuttingDown = true
    const w = this.waiters
    this.waiters = []
    for (const f of w) f(undefined)
  }

  isShuttingDown(): boolean {
    return this.shuttingDown
  }

  /** Take the next key (waits while the queue is empty); undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined)
    if (this.head < this.queue.length) return Promise.resolve(this.take(this.queue[this.head++] as string))
    return new Promise((resolve) => this.waiters.push((k) => resolve(k === undefined ? undefined : this.take(k))))
  }

  /** Mark a key finished; if it was added meanwhile, it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key)
    if (this.dirty.has(key) && !this.shuttingDown) {
      const w = this.waiters.shift()
      if (w) w(key)
      else this.queue.push(key)
    }
  }

  /** Start `workers` loops that reconcile keys until shutDown. */
  run(workers: number, reconcile: (key: string) => Promise<void>): void {
    for (let i = 0; i < workers; i++) void this.worker(reconcile)
  }

  private take(key: string): string {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
    this.dirty.delete(key)
    this.processing.add(key)
    return key
  }

  private async worker(reconcile: (key: string) => Promise<void>): Promise<void> {
    let since = this.ctx.now()
    while (true) {
      // A long backlog is worked through in promise callbacks alone; let the thread's event
      // loop turn (timers, heartbeats, incoming messages) every SLICE_MS of it.
      if (this.ctx.now() - since >= SLICE_MS) {
        await this.ctx.sleep(0)
        since = this.ctx.now()
      }
      const idle = this.head >= this.queue.length
      const key = await this.get()
      if (key === undefined) return
      // It waited for the key: the event loop has turned since.
      if (idle) since = this.ctx.now()
      try {
        await reconcile(key)
        this.forget(key)
      } catch (err) {
        this.log.warn({ err, key, retries: this.backoff.retries(key) }, 'reconcile failed, requeued')
        this.addRateLimited(key)
      } finally {
        this.done(key)
      }
    }
  }
}
