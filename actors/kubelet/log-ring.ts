// A bounded ring of a container's log lines (oldest dropped first).
export interface LogLine {
  t: number
  stream: 'stdout' | 'stderr'
  line: string
}

export class LogRing {
  private readonly buf: LogLine[] = []
  private start = 0
  dropped = 0

  constructor(private readonly capacity = 1000) {}

  push(l: LogLine): void {
    if (this.buf.length < this.capacity) {
      this.buf.push(l)
      return
    }
    this.buf[this.start] = l
    this.start = (this.start + 1) % this.capacity
    this.dropped++
  }

  lines(): LogLine[] {
    return [...this.buf.slice(this.start), ...this.buf.slice(0, this.start)]
  }

  get size(): number {
    return this.buf.length
  }
}
