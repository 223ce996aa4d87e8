// A binary min-heap of timed callbacks, ordered by (time, insertion order), with cancellation.
// An event is a function and one argument, so that hot paths (message deliveries) schedule a
// shared function instead of allocating a closure per event; the handle is the event itself.
interface Item {
  t: number
  seq: number
  fn: ((arg: any) => void) | undefined
  arg: unknown
}

export type EventHandle = object

export class EventQueue {
  private heap: Item[] = []
  private seq = 0
  private live = 0

  get size(): number {
    return this.live
  }

  push<A>(t: number, fn: (arg: A) => void, arg?: A): EventHandle {
    const item: Item = { t, seq: ++this.seq, fn, arg }
    this.live++
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
    return item
  }

  cancel(handle: unknown): void {
    const item = handle as Item | undefined
    if (item && item.fn !== undefined) {
      item.fn = undefined
      item.arg = undefined
      this.live--
    }
  }

  peekTime(): number | undefined {
    this.skipCancelled()
    return this.heap[0]?.t
  }

  /** Remove the next event and run it; false when there is none. */
  runNext(): boolean {
    this.skipCancelled()
    const top = this.popRaw()
    if (!top) return false
    const fn = top.fn as (arg: unknown) => void
    const arg = top.arg
    top.fn = undefined
    top.arg = undefined
    this.live--
    fn(arg)
    return true
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
