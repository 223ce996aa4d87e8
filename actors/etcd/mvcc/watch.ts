// The watchers one replica serves from its applied state, pure: given applied events, it says
// which KvWatchEvents to send to whom. Each watcher gets every matching revision once, in order.
import type { KvEvent, KvWatchCanceled, KvWatchCreate, KvWatchEvents } from '../../../protocols/kv.ts'
import { KvStoreError } from './errors.ts'
import { inRange, type KeyRange, type MvccStore } from './store.ts'

export interface Send {
  to: string
  msg: KvWatchEvents | KvWatchCanceled
}

interface Watcher {
  to: string
  watchId: string
  range: KeyRange
  prevKv: boolean
  progress: boolean
  /** The next revision this watcher has not seen. */
  next: number
}

export class WatchHub {
  private readonly watchers = new Map<string, Watcher>()

  get size(): number {
    return this.watchers.size
  }

  /** Register a watch and return its catch-up events (throws KV_COMPACTED / KV_BAD_REQUEST). */
  create(to: string, req: KvWatchCreate, store: MvccStore): Send[] {
    if (typeof req.watchId !== 'string' || typeof req.key !== 'string') {
      throw new KvStoreError('KV_BAD_REQUEST', 'watch needs a watchId and a key')
    }
    const range: KeyRange = { key: req.key, end: req.end, prefix: req.prefix }
    const start = req.startRevision && req.startRevision > 0 ? req.startRevision : store.revision + 1
    const w: Watcher = { to, watchId: req.watchId, range, prevKv: !!req.prevKv, progress: !!req.progressNotify, next: start }
    const sends = start <= store.revision ? this.catchUp(w, store) : []
    this.watchers.set(keyOf(to, req.watchId), w)
    w.next = Math.max(w.next, store.revision + 1)
    return sends
  }

  cancel(to: string, watchId: string): boolean {
    return this.watchers.delete(keyOf(to, watchId))
  }

  /** Events of one applied revision. */
  onApply(revision: number, events: KvEvent[]): Send[] {
    const sends: Send[] = []
    for (const w of this.watchers.values()) {
      if (w.next > revision) continue
      const mine = events.filter((e) => inRange(e.kv.key, w.range)).map((e) => (w.prevKv ? e : strip(e)))
      w.next = revision + 1
      if (mine.length > 0) sends.push({ to: w.to, msg: { type: 'kv.watch.events', watchId: w.watchId, revision, events: mine } })
    }
    return sends
  }

  /** Progress notifications (no events) for watchers that asked for them. */
  progress(revision: number): Send[] {
    const sends: Send[] = []
    for (const w of this.watchers.values()) {
      if (w.progress && w.next > revision) sends.push({ to: w.to, msg: { type: 'kv.watch.events', watchId: w.watchId, revision, events: [] } })
    }
    return sends
  }

  /** The applied state jumped (snapshot installed): catch every watcher up, or cancel it. */
  resync(store: MvccStore): Send[] {
    const sends: Send[] = []
    for (const [k, w] of this.watchers) {
      if (w.next > store.revision) continue
      try {
        sends.push(...this.catchUp(w, store))
        w.next = store.revision + 1
      } catch (err) {
        if (!(err instanceof KvStoreError)) throw err
        this.watchers.delete(k)
        sends.push({ to: w.to, msg: { type: 'kv.watch.canceled', watchId: w.watchId, reason: err.message, compactRevision: store.compactRevision } })
      }
    }
    return sends
  }

  cancelAll(reason: string): Send[] {
    const sends: Send[] = [...this.watchers.values()].map((w) => ({ to: w.to, msg: { type: 'kv.watch.canceled' as const, watchId: w.watchId, reason } }))
    this.watchers.clear()
    return sends
  }

  private catchUp(w: Watcher, store: MvccStore): Send[] {
    const evs = store.eventsSince(w.next, w.range, w.prevKv)
    const sends: Send[] = []
    let i = 0
    while (i < evs.length) {
      const rev = evs[i].kv.modRevision
      let j = i
      while (j < evs.length && evs[j].kv.modRevision === rev) j++
      sends.push({ to: w.to, msg: { type: 'kv.watch.events', watchId: w.watchId, revision: rev, events: evs.slice(i, j) } })
      i = j
    }
    return sends
  }
}

function keyOf(to: string, watchId: string): string {
  return `${to}\u0000${watchId}`
}

function strip(e: KvEvent): KvEvent {
  return e.prevKv ? { type: e.type, kv: e.kv } : e
}
