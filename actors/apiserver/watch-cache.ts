// The watch cache of one kind in one API server: the current objects and a bounded window of
// recent events, fed by the shard's store watch. Watchers start from a resourceVersion inside
// the window (older -> 410 Expired), get their events filtered by namespace and selectors.
import type { WatchEvent, WatchEventType } from '../../protocols/api.ts'
import type { KObject } from '../../protocols/k8s.ts'
import type { WatchSink } from './types.ts'
import { apiVersionOf, type KindInfo } from './kinds.ts'
import { gone } from './errors.ts'
import { fieldValue, matchFields, matchLabels, requiredValue, type Selector } from './selectors.ts'

/**
 * The field that watchers of a kind are indexed by, as kube-apiserver's watch cache indexes its
 * watchers ("triggers"): every kubelet watches its own node's pods, so an event is offered only to
 * the watchers of the node it names, not checked against thousands of selectors.
 */
const INDEXED_FIELD: Record<string, string> = { pods: 'spec.nodeName', nodes: 'metadata.name' }

export interface CachedEvent {
  rev: number
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  key: string
  obj: KObject
  prev?: KObject
}

export interface WatcherSpec {
  namespace?: string
  labels: Selector
  fields: Selector
  /** Deliver events with revision > fromRev. */
  fromRev: number
  bookmarks: boolean
}

export class Watcher {
  closed = false
  lastRev: number
  constructor(readonly spec: WatcherSpec, readonly sink: WatchSink) {
    this.lastRev = spec.fromRev
  }

  private matches(o: KObject | undefined): boolean {
    if (!o) return false
    if (this.spec.namespace && o.metadata.namespace !== this.spec.namespace) return false
    return matchLabels(this.spec.labels, o) && matchFields(this.spec.fields, o)
  }

  /** The event this watcher sees, if any (a MODIFIED that leaves or enters the selection becomes DELETED/ADDED). */
  view(e: CachedEvent): WatchEvent | undefined {
    if (e.rev <= this.lastRev) return undefined
    const now = e.type !== 'DELETED' && this.matches(e.obj)
    const before = e.type === 'MODIFIED' && this.matches(e.prev)
    let type: WatchEventType
    if (e.type === 'ADDED') type = 'ADDED'
    else if (e.type === 'DELETED') type = 'DELETED'
    else type = now && before ? 'MODIFIED' : now ? 'ADDED' : 'DELETED'
    if (type === 'DELETED' && !(e.type === 'DELETED' ? this.matches(e.obj) : before)) return undefined
    if (type !== 'DELETED' && !now) return undefined
    return { type, object: e.obj }
  }

  deliver(events: CachedEvent[], rev: number): void {
    if (this.closed) return
    const out: WatchEvent[] = []
    for (const e of events) {
      const v = this.view(e)
      if (v) out.push(v)
    }
    if (rev > this.lastRev) this.lastRev = rev
    if (out.length > 0) this.sink.send(out)
  }

  close(status?: Parameters<WatchSink['close']>[0]): void {
    if (this.closed) return
    this.closed = true
    this.sink.close(status)
  }
}

export class WatchCache {
  readonly objects = new Map<string, KObject>()
  private events: CachedEvent[] = []
  /** Every event with revision > oldestRev is in the window. */
  oldestRev = 0
  /** The revision the cache is up to date with. */
  rev = 0
  private readonly watchers = new Set<Watcher>()
  /** Watchers that require a value of the indexed field, by that value. */
  private readonly byValue = new Map<string, Set<Watcher>>()
  private readonly indexOf = new Map<Watcher, string>()
  private readonly field: string | undefined
  /** Keys of the objects by their value of the indexed field: lists that name a value read only those. */
  private readonly keysBy = new Map<string, Set<string>>()

  constructor(readonly ki: KindInfo, readonly capacity: number) {
    this.field = INDEXED_FIELD[ki.plural]
  }

  /** Replace the state with a fresh list at revision `rev` (start, or after the store watch broke). */
  reset(objects: Array<[string, KObject]>, rev: number): void {
    this.objects.clear()
    this.keysBy.clear()
    for (const [k, o] of objects) {
      this.objects.set(k, o)
      this.index(k, o, undefined)
    }
    this.events = []
    this.oldestRev = rev
    this.rev = rev
    for (const w of [...this.watchers]) w.close()
    this.clearWatchers()
  }

  private clearWatchers(): void {
    this.watchers.clear()
    this.byValue.clear()
    this.indexOf.clear()
  }

  /** A put (obj) or a delete (obj undefined) at revision `rev`. */
  apply(key: string, rev: number, obj: KObject | undefined, deletedObj?: KObject): CachedEvent | undefined {
    const prev = this.objects.get(key)
    this.index(key, obj, prev)
    let e: CachedEvent
    if (obj) {
      this.objects.set(key, obj)
      e = prev ? { rev, type: 'MODIFIED', key, obj, prev } : { rev, type: 'ADDED', key, obj }
    } else {
      const last = prev ?? deletedObj
      this.objects.delete(key)
      if (!last) return undefined
      const gone: KObject = { ...last, metadata: { ...last.metadata, resourceVersion: String(rev) } }
      e = { rev, type: 'DELETED', key, obj: gone }
    }
    this.events.push(e)
    while (this.events.length > this.capacity) this.oldestRev = this.events.shift()!.rev
    return e
  }

  private index(key: string, obj: KObject | undefined, prev: KObject | undefined): void {
    const field = this.field
    if (field === undefined) return
    const now = obj ? fieldValue(obj, field) ?? '' : undefined
    const before = prev ? fieldValue(prev, field) ?? '' : undefined
    if (now === before) return
    if (before !== undefined) {
      const set = this.keysBy.get(before)
      set?.delete(key)
      if (set?.size === 0) this.keysBy.delete(before)
    }
    if (now !== undefined) {
      const set = this.keysBy.get(now) ?? new Set<string>()
      set.add(key)
      this.keysBy.set(now, set)
    }
  }

  /**
   * The keys a list with these field requirements can match, sorted, when they require a value
   * of the indexed field (a kubelet's pods, a node by name); undefined otherwise.
   */
  candidates(fields: Selector): string[] | undefined {
    const v = this.field === undefined ? undefined : requiredValue(fields, this.field)
    if (v === undefined) return undefined
    return [...(this.keysBy.get(v) ?? [])].sort()
  }

  /** Hand a batch of new events (already applied) to the watchers and move the revision. */
  publish(events: CachedEvent[], rev: number): void {
    if (rev > this.rev) this.rev = rev
    const field = this.field
    if (field === undefined || this.byValue.size === 0 || events.length === 0) {
      for (const w of this.watchers) w.deliver(events, rev)
      return
    }
    // Indexed watchers get the events whose object names their value, before or after the change
    // (a pod leaving a node is a DELETED for that node's watcher); every watcher's revision moves.
    const mine = new Map<Watcher, CachedEvent[]>()
    for (const e of events) {
      const now = fieldValue(e.obj, field)
      const before = e.prev ? fieldValue(e.prev, field) : undefined
      for (const v of before === undefined || before === now ? [now] : [now, before]) {
        for (const w of this.byValue.get(v ?? '') ?? []) {
          const l = mine.get(w)
          if (l) l.push(e)
          else mine.set(w, [e])
        }
      }
    }
    for (const w of this.watchers) w.deliver(this.indexOf.has(w) ? (mine.get(w) ?? []) : events, rev)
  }

  /** Start a watcher; RV '' or '0' (fromRev undefined) gets ADDED for every matching object first. */
  watch(spec: Omit<WatcherSpec, 'fromRev'> & { fromRev?: number; initialEvents?: boolean }, sink: WatchSink): Watcher {
    const from = spec.fromRev
    if (from !== undefined && from < this.oldestRev) {
      throw gone(`too old resource version: ${from} (${this.oldestRev})`)
    }
    const w = new Watcher({ ...spec, fromRev: from ?? this.rev }, sink)
    if (from === undefined || spec.initialEvents) {
      const init: WatchEvent[] = []
      const start = from ?? this.rev
      const keys = this.candidates(spec.fields)
      for (const o of keys ? keys.map((k) => this.objects.get(k)!) : this.objects.values()) {
        if (Number(o.metadata.resourceVersion) > start) continue
        const v = w.view({ rev: Number.MAX_SAFE_INTEGER, type: 'ADDED', key: '', obj: o })
        if (v) init.push(v)
      }
      init.sort((a, b) => Number((a.object as KObject).metadata.resourceVersion) - Number((b.object as KObject).metadata.resourceVersion))
      if (spec.bookmarks && spec.initialEvents) init.push(this.bookmark(start, true))
      if (init.length > 0) sink.send(init)
    }
    const replay = this.events.filter((e) => e.rev > w.lastRev)
    if (replay.length > 0) w.deliver(replay, replay[replay.length - 1]!.rev)
    this.watchers.add(w)
    const v = this.field === undefined ? undefined : requiredValue(w.spec.fields, this.field)
    if (v !== undefined) {
      this.indexOf.set(w, v)
      const set = this.byValue.get(v) ?? new Set<Watcher>()
      set.add(w)
      this.byValue.set(v, set)
    }
    return w
  }

  remove(w: Watcher): void {
    this.watchers.delete(w)
    const v = this.indexOf.get(w)
    if (v === undefined) return
    this.indexOf.delete(w)
    const set = this.byValue.get(v)
    set?.delete(w)
    if (set?.size === 0) this.byValue.delete(v)
  }

  bookmark(rev: number, initialEventsEnd = false): WatchEvent {
    return {
      type: 'BOOKMARK',
      object: {
        kind: this.ki.kind,
        apiVersion: apiVersionOf(this.ki),
        metadata: { resourceVersion: String(rev), ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
      },
    }
  }

  /** Send a bookmark at the current revision to each watcher that asked for them. */
  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (!w.spec.bookmarks || w.closed) continue
      if (this.rev > w.lastRev) w.lastRev = this.rev
      w.sink.send([this.bookmark(w.lastRev)])
    }
  }

  closeAll(): void {
    for (const w of this.watchers) w.close()
    this.clearWatchers()
  }

  get watcherCount(): number {
    return this.watchers.size
  }
}
