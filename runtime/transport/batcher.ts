// Batches outgoing envelopes per destination thread and flushes them once per turn of the
// event loop: one packed batch per destination per flush. `schedule` and `sink` are injected,
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

const HEADROOM = 4096

interface Queue {
  envs: Envelope[]
  /** Packed bytes per envelope seen lately on this destination (sizes the next buffer). */
  bytesPer: number
}

export class Batcher {
  private readonly queues = new Map<string, Queue>()
  /** Destinations with envelopes waiting, in the order they got their first one. */
  private dirty: Queue[] = []
  private dirtyDest: string[] = []
  private scheduled = false
  private readonly maxBatch: number
  private readonly flushFn = () => this.flush()
  batches = 0
  envelopes = 0

  constructor(private readonly opts: BatcherOptions) {
    this.maxBatch = opts.maxBatch ?? 4096
  }

  push(dest: string, env: Envelope): void {
    let q = this.queues.get(dest)
    if (!q) {
      q = { envs: [], bytesPer: 256 }
      this.queues.set(dest, q)
    }
    if (q.envs.length === 0) {
      this.dirty.push(q)
      this.dirtyDest.push(dest)
    }
    q.envs.push(env)
    if (q.envs.length >= this.maxBatch) {
      this.emit(dest, q)
      return
    }
    if (!this.scheduled) {
      this.scheduled = true
      this.opts.schedule(this.flushFn)
    }
  }

  flush(): void {
    this.scheduled = false
    const qs = this.dirty
    const ds = this.dirtyDest
    this.dirty = []
    this.dirtyDest = []
    for (let i = 0; i < qs.length; i++) {
      const q = qs[i] as Queue
      if (q.envs.length > 0) this.emit(ds[i] as string, q)
    }
  }

  get pending(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.envs.length
    return n
  }

  private emit(dest: string, q: Queue): void {
    const envs = q.envs
    q.envs = []
    this.batches++
    this.envelopes += envs.length
    // Headroom: msgpackr wants room for 3 bytes per character of a string before writing it,
    // and would otherwise copy the whole batch into a buffer four times its size.
    const buf = encodeBatch(envs, (envs.length * 1.25 + 3) * q.bytesPer + HEADROOM)
    q.bytesPer = Math.max(16, (q.bytesPer + buf.length / envs.length) / 2)
    this.opts.sink(dest, buf, envs.length)
  }
}
