// Batches outgoing envelopes per destination thread and flushes them once per turn of the
// event loop: one packed buffer per destination per flush. `schedule` and `sink` are injected,
// so the batching rule is tested without threads.
import type { Envelope } from '../cell.ts'
import { encodeBatch } from './codec.ts'

export interface BatcherOptions {
  /** Called with each packed batch; the buffer's ArrayBuffer belongs to the sink. */
  sink(dest: string, buf: Uint8Array, count: number): void
  /** Arrange for `flush` to run soon (setImmediate in hosts). */
  schedule(flush: () => void): void
  /** Flush at once when a destination's queue reaches this many envelopes. */
  maxBatch?: number
}

export class Batcher {
  private readonly queues = new Map<string, Envelope[]>()
  private scheduled = false
  private readonly maxBatch: number
  batches = 0
  envelopes = 0

  constructor(private readonly opts: BatcherOptions) {
    this.maxBatch = opts.maxBatch ?? 4096
  }

  push(dest: string, env: Envelope): void {
    let q = this.queues.get(dest)
    if (!q) {
      q = []
      this.queues.set(dest, q)
    }
    q.push(env)
    if (q.length >= this.maxBatch) {
      this.queues.delete(dest)
      this.emit(dest, q)
      return
    }
    if (!this.scheduled) {
      this.scheduled = true
      this.opts.schedule(() => this.flush())
    }
  }

  flush(): void {
    this.scheduled = false
    const qs = [...this.queues]
    this.queues.clear()
    for (const [dest, q] of qs) if (q.length > 0) this.emit(dest, q)
  }

  get pending(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.length
    return n
  }

  private emit(dest: string, q: Envelope[]): void {
    this.batches++
    this.envelopes += q.length
    this.opts.sink(dest, encodeBatch(q), q.length)
  }
}
