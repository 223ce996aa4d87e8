// A virtual clock for the kubelet's pure parts: advance() runs due callbacks in time order and
// lets promise continuations settle between them.
import type { Clock } from '../../../actors/kubelet/clock.ts'

export class VirtualClock implements Clock {
  private t: number
  private seq = 0
  private readonly timers: Array<{ at: number; seq: number; fn: () => void }> = []

  /** `early`: timers fire this many ms before they are due, as real timers may by the wall clock. */
  constructor(start = 1_700_000_000_000, private readonly early = 0) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  schedule(ms: number, fn: () => void): () => void {
    const entry = { at: this.t + Math.max(0, ms - this.early), seq: ++this.seq, fn }
    this.timers.push(entry)
    return () => {
      const i = this.timers.indexOf(entry)
      if (i >= 0) this.timers.splice(i, 1)
    }
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    await settle()
    while (true) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.timers[0]
      if (!next || next.at > end) break
      this.timers.shift()
      this.t = Math.max(this.t, next.at)
      next.fn()
      await settle()
    }
    this.t = end
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r))
}

export const silentLog = { debug() {}, info() {}, warn() {}, error() {}, child() { return silentLog } }
