// Informer: list, then watch from the list's resourceVersion; re-watch from the last seen RV
// when a watch closes, re-list on 410 Gone, and re-list every resyncMs (firing onUpdate for
// every object, as client-go's resync does). Handlers run in the actor's turn, synchronously.
import type { Ctx } from '../../runtime/actor.ts'
import type { ResourceRef, WatchEvent } from '../../protocols/api.ts'
import type { KObject, Status } from '../../protocols/k8s.ts'
import type { ApiClient, WatchHandle } from './types.ts'
import { keyOf, objectKey, rvNewer, Store, type Indexers } from './store.ts'

export interface InformerOptions<T extends KObject> {
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
  /** Re-list this often (0 or absent: never). */
  resyncMs?: number
  indexers?: Indexers<T>
  /**
   * The first list asks for resourceVersion '0', served from the apiserver's watch cache as it
   * is (client-go's reflector does so), not a consistent list that first asks etcd for its
   * revision; later lists are consistent. Node agents set it: thousands start at once.
   */
  firstListFromCache?: boolean
}

export interface InformerHandler<T extends KObject> {
  onAdd?(obj: T): void
  onUpdate?(oldObj: T, obj: T): void
  onDelete?(obj: T): void
}

/**
 * Retries of a failed list or watch start back off as client-go's reflector does: doubling from
 * RETRY_MS up to MAX_RETRY_MS, each delay stretched at random by up to half either way, so that
 * thousands of informers whose apiserver went away do not come back in lockstep.
 */
const RETRY_MS = 200
const MAX_RETRY_MS = 3200

export class Informer<T extends KObject> {
  private readonly store: Store<T>
  private readonly handlers: Array<InformerHandler<T>> = []
  private running = false
  private synced = false
  private lastRV = ''
  private watchHandle: WatchHandle | undefined
  private generation = 0
  private syncWaiters: Array<() => void> = []
  private failures = 0
  private readonly log

  constructor(
    private readonly ctx: Ctx,
    private readonly client: ApiClient,
    private readonly ref: ResourceRef,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.store = new Store<T>(opts.indexers ?? {})
    this.log = ctx.log.child({ informer: ref.resource })
  }

  addHandler(h: InformerHandler<T>): void {
    this.handlers.push(h)
    if (this.synced) for (const o of this.store.list()) h.onAdd?.(o)
  }

  start(): void {
    if (this.running) return
    this.running = true
    void this.listAndWatch(false)
    if (this.opts.resyncMs && this.opts.resyncMs > 0) void this.resyncLoop(this.opts.resyncMs)
  }

  stop(): void {
    this.running = false
    this.generation++
    this.watchHandle?.stop()
    this.watchHandle = undefined
  }

  hasSynced(): boolean {
    return this.synced
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve()
    return new Promise((resolve) => this.syncWaiters.push(resolve))
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(objectKey(namespace, name))
  }

  list(): T[] {
    return this.store.list()
  }

  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value)
  }

  /** The last resourceVersion this informer has seen. */
  resourceVersion(): string {
    return this.lastRV
  }

  private async resyncLoop(every: number): Promise<void> {
    while (this.running) {
      await this.ctx.sleep(every)
      if (!this.running) return
      if (this.synced) await this.relist(true)
    }
  }

  /** List (retrying until it works), replace the cache, then watch from the list's RV. */
  private async listAndWatch(resync: boolean): Promise<void> {
    const gen = ++this.generation
    this.watchHandle?.stop()
    this.watchHandle = undefined
    while (this.running && gen === this.generation) {
      if (await this.relist(resync)) break
      await this.ctx.sleep(this.backoff())
    }
    if (this.running && gen === this.generation) this.startWatch(gen)
  }

  /** One list; reconciles the cache with it. Returns false if the list failed. */
  private async relist(resync: boolean): Promise<boolean> {
    let list
    try {
      list = await this.client.list<T>(this.ref, this.opts.namespace, {
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        ...(this.opts.firstListFromCache && this.lastRV === '' ? { resourceVersion: '0' } : {}),
      })
    } catch (e) {
      this.log.warn({ err: e, resource: this.ref.resource }, 'informer list failed')
      return false
    }
    if (!this.running) return false
    const listRV = list.metadata.resourceVersion ?? ''
    const seen = new Set<string>()
    for (const obj of list.items) {
      const key = keyOf(obj)
      seen.add(key)
      const old = this.store.get(key)
      // A watch event newer than this list already updated the cache: keep it.
      if (old && rvNewer(old.metadata.resourceVersion, obj.metadata.resourceVersion)) continue
      this.store.put(obj)
      if (!old) this.fire((h) => h.onAdd?.(obj))
      else if (resync || old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.fire((h) => h.onUpdate?.(old, obj))
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue
      const old = this.store.get(key) as T
      if (rvNewer(old.metadata.resourceVersion, listRV)) continue
      this.store.remove(key)
      this.fire((h) => h.onDelete?.(old))
    }
    if (!rvNewer(this.lastRV, listRV)) this.lastRV = listRV
    this.failures = 0
    if (!this.synced) {
      this.synced = true
      const w = this.syncWaiters
      this.syncWaiters = []
      for (const f of w) f()
    }
    return true
  }

  private startWatch(gen: number): void {
    this.watchHandle = this.client.watch(
      this.ref,
      this.opts.namespace,
      {
        resourceVersion: this.lastRV,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        allowWatchBookmarks: true,
      },
      {
        onEvent: (ev) => {
          if (gen === this.generation) this.apply(ev, gen)
        },
        onClose: (info) => {
          if (gen !== this.generation || !this.running) return
          this.watchHandle = undefined
          void this.rewatch(gen, info)
        },
      },
    )
  }

  private async rewatch(gen: number, info: { gone: boolean; status?: Status }): Promise<void> {
    if (info.gone) {
      this.log.info({ event: 'watch.relisted', resource: this.ref.resource, resourceVersion: this.lastRV }, 'watch.relisted')
      await this.listAndWatch(false)
      return
    }
    await this.ctx.sleep(info.status ? this.backoff() : 0)
    if (gen === this.generation && this.running) this.startWatch(gen)
  }

  /** The next retry delay; a successful list or watch event resets it. */
  private backoff(): number {
    const base = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** Math.min(this.failures, 10))
    this.failures++
    return Math.round(base * (0.5 + this.ctx.random()))
  }

  private apply(ev: WatchEvent, gen: number): void {
    if (ev.type === 'ERROR') {
      const st = ev.object as Status
      this.watchHandle?.stop()
      this.watchHandle = undefined
      void this.rewatch(gen, { gone: st.code === 410, status: st })
      return
    }
    this.failures = 0
    const obj = ev.object as T
    const rv = obj.metadata?.resourceVersion
    if (rv !== undefined && rv !== '' && !rvNewer(this.lastRV, rv)) this.lastRV = rv
    if (ev.type === 'BOOKMARK') return
    const key = keyOf(obj)
    const old = this.store.get(key)
    if (ev.type === 'DELETED') {
      if (!old) return
      this.store.remove(key)
      this.fire((h) => h.onDelete?.(obj))
      return
    }
    if (old && rvNewer(old.metadata.resourceVersion, rv)) return
    this.store.put(obj)
    if (old) this.fire((h) => h.onUpdate?.(old, obj))
    else this.fire((h) => h.onAdd?.(obj))
  }

  private fire(f: (h: InformerHandler<T>) => void): void {
    for (const h of this.handlers) f(h)
  }
}
