// A binary min-heap of timed callbacks, ordered by (time, insertion order), with cancellation.
interface Item {
  t: number
  seq: number
  fn: (() => void) | undefined
}

export class EventQueue {
  private heap: Item[] = []
  private seq = 0
  private readonly live = new Map<number, Item>()

  get size(): number {
    return this.live.size
  }

  push(t: number, fn: () => void): number {
    const item: Item = { t, seq: ++this.seq, fn }
    this.live.set(item.seq, item)
    const h = this.heap
    h.push(item)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (less(h[p] as Item, item)) break
      h[i] = h[p] as Item
      i = p
    }
    h[i] = item
    return item.seq
  }

  cancel(id: number): void {
    const item = this.live.get(id)
    if (item) {
      item.fn = undefined
      this.live.delete(id)
    }
  }

  peekTime(): number | undefined {
    this.skipCancelled()
    return this.heap[0]?.t
  }

  pop(): (() => void) | undefined {
    this.skipCancelled()
    const top = this.popRaw()
    if (!top) return undefined
    this.live.delete(top.seq)
    return top.fn
  }

  private skipCancelled(): void {
    while (this.heap.length > 0 && (this.heap[0] as Item).fn === undefined) this.popRaw()
  }

  private popRaw(): Item | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last) {
      let i = 0
      const n = h.length
      while (true) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && less(h[r] as Item, h[l] as Item) ? r : l
        if (less(last, h[c] as Item)) break
        h[i] = h[c] as Item
        i = c
      }
      h[i] = last
    }
    return top
  }
}

function less(a: Item, b: Item): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq)
}
