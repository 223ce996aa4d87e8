// ApiServer: one API server instance's core. Serves ApiCall requests over the KV protocol,
// keeps a watch cache per kind fed by one store watch per shard, and starts watches.
import type { Ctx, Message } from '../../runtime/actor.ts'
import type { ApiServerArgs } from '../args.ts'
import type { ApiCreate, ApiDelete, ApiDeleteCollection, ApiGet, ApiList, ApiPatch, ApiReply, ApiUpdate, ApiWatch, DeleteOptions } from '../../protocols/api.ts'
import type { KObject, Status } from '../../protocols/k8s.ts'
import type { KeyValue, KvCompare, KvError, KvOp, KvRangeReply, KvTxnReply, KvWatchCanceled, KvWatchCreated, KvWatchEvents } from '../../protocols/kv.ts'
import { prefixEnd } from '../../protocols/kv.ts'
import type { ApiCall, ApiServerCore, WatchSink } from './types.ts'
import { kindFor, STORED_KINDS, apiVersionOf, type KindInfo } from './kinds.ts'
import { KvClient, decode, encode, listPrefix, objectKey, resourceOfKey } from './storage.ts'
import { WatchCache, type CachedEvent } from './watch-cache.ts'
import { ServiceCidr, ipKey, IP_KEY_PREFIX } from './clusterip.ts'
import { parseFieldSelector, parseLabelSelector, matchFields, matchLabels, singleName, type Selector } from './selectors.ts'
import { addDefaultTolerations, applyDefaults } from './defaults.ts'
import { validate } from './validation.ts'
import { applyPatch } from './patch/index.ts'
import { recordWrite, serverSideApply } from './patch/managed-fields.ts'
import { deepEqual, forStorage, generateSuffix, newUid, timestamp, toScale, typeMeta, withRv } from './objects.ts'
import {
  ApiError, alreadyExists, badRequest, conflict, forbidden, gone, internal, invalid, methodNotAllowed, notFound,
  storageInitializing, successStatus, toStatus, tooManyRequests, unavailable,
} from './errors.ts'

/** The reply with the request's warnings (each once), as the Warning header carries them. */
function withWarnings(reply: ApiReply, warnings: string[]): ApiReply {
  return warnings.length > 0 ? { ...reply, warnings: [...new Set(warnings)] } : reply
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

/** Kinds an update may create when the object is missing (AllowCreateOnUpdate in kube-apiserver). */
const CREATE_ON_UPDATE = new Set(['endpoints', 'leases', 'events'])

/** The longest a request waits for a slot over the in-flight limits before it is refused (429). */
export const QUEUE_WAIT_MS = 1000

/** In-flight limits' pools: reads, writes, node heartbeats. */
type Pool = 'readonly' | 'mutating' | 'heartbeat'

interface Waiter {
  since: number
  admit: (served: boolean) => void
}

export interface ApiServerOptions {
  /** Bookmarks are sent to watchers that asked for them this often. */
  bookmarkIntervalMs?: number
  /** A store watch with no event or progress notification for this long is re-created elsewhere. */
  storeWatchStaleMs?: number
  /**
   * A consistent list waits this long for the watch cache to reach the store's current revision
   * before it reads the store instead (kube-apiserver's ConsistentListFromCache).
   */
  cacheFreshWaitMs?: number
}

interface ShardWatch {
  watchId: string
  seq: number
  lastHeard: number
  rev: number
  listed: boolean
}

interface Live {
  obj: KObject
  kv: KeyValue
  /** Taken from the watch cache, which may be behind the store: a no-op against it proves nothing. */
  cached?: true
}

export class ApiServer implements ApiServerCore {
  readonly kv: KvClient
  readonly caches = new Map<string, WatchCache>()
  private readonly shardWatches = new Map<string, ShardWatch>()
  private readonly cidr: ServiceCidr
  private isReady = false
  private stopped = false
  readonly bookmarkIntervalMs: number
  readonly storeWatchStaleMs: number
  readonly cacheFreshWaitMs: number
  /** Consistent lists waiting for a shard's watch cache to reach a revision. */
  private readonly cacheWaiters = new Map<string, Array<{ rev: number; wake: () => void }>>()
  /** Distinguishes this incarnation's store watches from a previous one's. */
  private readonly incarnation: string

  constructor(private readonly ctx: Ctx, readonly args: ApiServerArgs, opts: ApiServerOptions = {}) {
    this.kv = new KvClient(ctx, {
      shards: args.shards,
      resourceShards: args.resourceShards,
      defaultShard: args.defaultShard,
      askTimeoutMs: Math.max(100, Math.floor(args.requestTimeoutMs / 4)),
      totalTimeoutMs: args.requestTimeoutMs,
    })
    this.cidr = new ServiceCidr(args.serviceCIDR)
    for (const ki of STORED_KINDS) this.caches.set(ki.plural, new WatchCache(ki, args.watchCacheSize))
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 5000
    this.storeWatchStaleMs = opts.storeWatchStaleMs ?? 3000
    this.cacheFreshWaitMs = opts.cacheFreshWaitMs ?? 3000
    this.incarnation = ctx.newId()
  }

  ready(): boolean {
    return this.isReady
  }

  // ---- start-up: reach every shard, fill the caches, create the default namespaces ----

  /** Keep trying until every shard is listed and watched; then the default namespaces. */
  async start(): Promise<void> {
    for (const shard of this.kv.shards()) {
      let backoff = 100
      while (!this.stopped) {
        try {
          await this.relist(shard)
          break
        } catch (err) {
          this.ctx.log.warn({ shard, err: toStatus(err).message }, 'apiserver shard unreachable')
          await this.ctx.sleep(backoff)
          backoff = Math.min(backoff * 2, 2000)
        }
      }
    }
    for (const ns of DEFAULT_NAMESPACES) {
      while (!this.stopped) {
        const r = await this.bootstrap({ type: 'api.create', group: '', version: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } })
        if (r.code === 201 || r.code === 409) break
        await this.ctx.sleep(200)
      }
    }
    await this.ensureKubernetesService()
    if (this.stopped) return
    this.isReady = true
    this.ctx.log.info({ shards: this.kv.shards() }, 'apiserver ready')
  }

  /**
   * The `kubernetes` Service in `default` on the range's reserved first address, and its
   * Endpoints naming where the API is served, as every kube-apiserver keeps them.
   */
  private async ensureKubernetesService(): Promise<void> {
    const at = this.args.advertise ?? { host: '127.0.0.1', port: 6443 }
    // A load balancer on a port picked at start (port 0) has no address to advertise yet.
    const port = at.port > 0 ? at.port : undefined
    const meta = { name: 'kubernetes', namespace: 'default' }
    const calls: ApiCall[] = [
      {
        type: 'api.create', group: '', version: 'v1', resource: 'services', namespace: 'default',
        body: {
          apiVersion: 'v1', kind: 'Service',
          metadata: { ...meta, labels: { component: 'apiserver', provider: 'kubernetes' } },
          spec: { type: 'ClusterIP', clusterIP: this.cidr.first, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port ?? 443 }], sessionAffinity: 'None' },
        },
      },
    ]
    if (port !== undefined) {
      calls.push({
        type: 'api.update', group: '', version: 'v1', resource: 'endpoints', namespace: 'default', name: 'kubernetes',
        body: {
          apiVersion: 'v1', kind: 'Endpoints',
          metadata: { ...meta, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
          subsets: [{ addresses: [{ ip: at.host }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
        },
      })
    }
    for (const call of calls) {
      for (let attempt = 0; attempt < 10 && !this.stopped; attempt++) {
        const r = await this.bootstrap(call)
        if (r.code < 300 || r.code === 409) break
        this.ctx.log.warn({ resource: call.resource, code: r.code, message: (r.body as Status).message }, 'kubernetes service bootstrap failed')
        // Only an unavailable store is worth waiting for; a refusal will not change.
        if (r.code < 500) break
        await this.ctx.sleep(200)
      }
    }
  }

  stop(): void {
    this.stopped = true
    this.isReady = false
    for (const c of this.caches.values()) c.closeAll()
    for (const [shard, w] of this.shardWatches) this.ctx.send(this.kv.current(shard), { type: 'kv.watch.cancel', watchId: w.watchId } as Message)
  }

  /** List the shard's whole /registry/ prefix, reset its kinds' caches, and watch from there. */
  private async relist(shard: string): Promise<void> {
    const r = await this.kvOk<KvRangeReply>(shard, { type: 'kv.range', key: '/registry/', prefix: true })
    const rev = r.header.revision
    const byKind = new Map<string, Array<[string, KObject]>>()
    for (const kv of r.kvs) {
      const res = resourceOfKey(kv.key)
      if (!res || this.kv.shardFor(res) !== shard) continue
      const list = byKind.get(res) ?? []
      list.push([kv.key, withRv(decode(kv.value), kv.modRevision)])
      byKind.set(res, list)
    }
    for (const [res, cache] of this.caches) if (this.kv.shardFor(res) === shard) cache.reset(byKind.get(res) ?? [], rev)
    this.wakeCacheWaiters(shard, rev)
    await this.watchShard(shard, rev)
  }

  private async watchShard(shard: string, rev: number): Promise<void> {
    const prev = this.shardWatches.get(shard)
    const seq = (prev?.seq ?? 0) + 1
    const watchId = `${this.ctx.self}/${this.incarnation}/${shard}/${seq}`
    const sw: ShardWatch = { watchId, seq, lastHeard: this.ctx.now(), rev, listed: true }
    this.shardWatches.set(shard, sw)
    if (prev) this.ctx.send(this.kv.current(shard), { type: 'kv.watch.cancel', watchId: prev.watchId } as Message)
    const r = await this.kv.ask<KvWatchCreated>(shard, { type: 'kv.watch.create', watchId, key: '/registry/', prefix: true, startRevision: rev + 1, prevKv: true, progressNotify: true })
    if (r.type === 'kv.error') {
      if (r.code === 'KV_COMPACTED') return this.relist(shard)
      throw unavailable(`etcd shard ${shard}: ${r.code}`)
    }
  }

  /** Messages from the store's watch (the actor hands them over). */
  onStoreWatch(msg: KvWatchEvents | KvWatchCanceled): void {
    const entry = [...this.shardWatches.entries()].find(([, w]) => w.watchId === msg.watchId)
    if (!entry) return
    const [shard, sw] = entry
    sw.lastHeard = this.ctx.now()
    if (msg.type === 'kv.watch.canceled') {
      this.ctx.log.warn({ shard, reason: msg.reason }, 'apiserver store watch canceled')
      this.recoverShard(shard, msg.compactRevision !== undefined)
      return
    }
    const per = new Map<WatchCache, CachedEvent[]>()
    for (const ev of msg.events) {
      if (ev.kv.modRevision <= sw.rev) continue
      const res = resourceOfKey(ev.kv.key)
      const cache = res ? this.caches.get(res) : undefined
      if (!cache) continue
      const e = ev.type === 'put'
        ? cache.apply(ev.kv.key, ev.kv.modRevision, withRv(decode(ev.kv.value), ev.kv.modRevision))
        : cache.apply(ev.kv.key, ev.kv.modRevision, undefined, ev.prevKv ? withRv(decode(ev.prevKv.value), ev.prevKv.modRevision) : undefined)
      if (!e) continue
      const l = per.get(cache) ?? []
      l.push(e)
      per.set(cache, l)
    }
    if (msg.revision > sw.rev) sw.rev = msg.revision
    for (const [res, cache] of this.caches) {
      if (this.kv.shardFor(res) !== shard) continue
      cache.publish(per.get(cache) ?? [], sw.rev)
    }
    this.wakeCacheWaiters(shard, sw.rev)
  }

  private wakeCacheWaiters(shard: string, rev: number): void {
    const ws = this.cacheWaiters.get(shard)
    if (!ws) return
    const due = ws.filter((w) => w.rev <= rev)
    if (due.length === 0) return
    this.cacheWaiters.set(shard, ws.filter((w) => w.rev > rev))
    for (const w of due) w.wake()
  }

  /**
   * The kind's watch cache once it has caught up with the store's current revision (read with a
   * cheap linearizable count), as kube-apiserver serves consistent lists; undefined if it does
   * not within cacheFreshWaitMs, or while its shard's watch is being re-established.
   */
  private async freshCache(ki: KindInfo): Promise<WatchCache | undefined> {
    const shard = this.kv.shardFor(ki.plural)
    const cache = this.caches.get(ki.plural)
    if (!cache || cache.rev === 0 || this.recovering.has(shard) || !this.shardWatches.has(shard)) return undefined
    const r = await this.kvOk<KvRangeReply>(shard, { type: 'kv.range', key: listPrefix(ki, undefined), countOnly: true })
    const want = r.header.revision
    if (cache.rev >= want) return cache
    const caught = await new Promise<boolean>((resolve) => {
      let settled = false
      const done = (v: boolean) => {
        if (settled) return
        settled = true
        resolve(v)
      }
      const waiter = { rev: want, wake: () => done(true) }
      this.cacheWaiters.set(shard, [...(this.cacheWaiters.get(shard) ?? []), waiter])
      void this.ctx.sleep(this.cacheFreshWaitMs).then(() => {
        const ws = this.cacheWaiters.get(shard)
        if (ws) this.cacheWaiters.set(shard, ws.filter((w) => w !== waiter))
        done(false)
      })
    })
    return caught && cache.rev >= want ? cache : undefined
  }

  private recovering = new Set<string>()

  /** The store watch broke: re-watch on another replica from where the cache is, or re-list. */
  private recoverShard(shard: string, compacted: boolean): void {
    if (this.recovering.has(shard) || this.stopped) return
    this.recovering.add(shard)
    const sw = this.shardWatches.get(shard)
    this.kv.rotate(shard)
    const run = async () => {
      while (!this.stopped) {
        try {
          if (compacted || !sw) await this.relist(shard)
          else await this.watchShard(shard, sw.rev)
          return
        } catch {
          this.kv.rotate(shard)
          await this.ctx.sleep(200)
        }
      }
    }
    run().finally(() => this.recovering.delete(shard))
  }

  /** Called periodically by the actor: stale store watches, bookmarks. */
  tick(sendBookmarks: boolean): void {
    const now = this.ctx.now()
    for (const [shard, sw] of this.shardWatches) {
      if (now - sw.lastHeard > this.storeWatchStaleMs) {
        this.ctx.log.warn({ shard, silentMs: now - sw.lastHeard }, 'apiserver store watch silent')
        sw.lastHeard = now
        this.recoverShard(shard, false)
      }
    }
    if (sendBookmarks) for (const c of this.caches.values()) c.sendBookmarks()
    this.expireWaiters()
  }

  // ---- requests ----

  /** Requests being served now, by class (see handle()), and how many were refused since start. */
  readonly load = { readonly: 0, mutating: 0, heartbeat: 0, rejected: 0 }
  /** Requests waiting for a slot, by class, oldest first. */
  private readonly waiting: Record<Pool, Waiter[]> = { readonly: [], mutating: [], heartbeat: [] }

  async handle(req: ApiCall): Promise<ApiReply> {
    const mutating = req.type !== 'api.get' && req.type !== 'api.list'
    // Three pools, a simple form of kube-apiserver's priority levels: reads, writes, and node
    // heartbeats (writes of Leases in kube-node-lease, node-high's share) with a pool of their
    // own, so that neither starves the other. Leader election (Leases in kube-system) is never
    // refused, as the leader-election level keeps it served.
    const lease = req.resource === 'leases' && mutating
    if (lease && req.namespace === 'kube-system') return this.serve(req, undefined)
    const cls: Pool = !mutating ? 'readonly' : lease && req.namespace === 'kube-node-lease' ? 'heartbeat' : 'mutating'
    const limit = (cls === 'readonly' ? this.args.maxRequestsInflight : this.args.maxMutatingRequestsInflight) ?? 0
    if (limit > 0 && this.load[cls] >= limit) {
      // Over the limit, a request waits its turn as API Priority and Fairness queues it: in a
      // queue as long as the pool, for at most QUEUE_WAIT_MS. A full queue or a wait that long
      // is refused, cheaply; clients retry after a second.
      const queue = this.waiting[cls]
      const admitted = queue.length < limit && await new Promise<boolean>((admit) => queue.push({ since: this.ctx.now(), admit }))
      if (!admitted) {
        this.load.rejected++
        return { type: 'api.reply', code: 429, body: tooManyRequests('Too many requests, please try again later.', 1).status }
      }
      return this.serve(req, cls, true)
    }
    return this.serve(req, cls)
  }

  /**
   * The instance's own start-up requests (default namespaces, the `kubernetes` Service): exempt
   * from the in-flight limits, as kube-apiserver's loopback client is, so that thousands of
   * agents retrying against a starting instance cannot keep it from becoming ready.
   */
  private bootstrap(req: ApiCall): Promise<ApiReply> {
    return this.serve(req, undefined)
  }

  /** A slot of `cls` is free: hand it to the oldest waiter still within QUEUE_WAIT_MS. */
  private release(cls: Pool): void {
    const queue = this.waiting[cls]
    const now = this.ctx.now()
    for (let w = queue.shift(); w; w = queue.shift()) {
      if (now - w.since <= QUEUE_WAIT_MS) return w.admit(true)
      w.admit(false)
    }
    this.load[cls]--
  }

  /** Refuses the waiters that waited QUEUE_WAIT_MS (called from tick(), when no slot freed). */
  private expireWaiters(): void {
    const now = this.ctx.now()
    for (const queue of Object.values(this.waiting)) {
      while (queue.length > 0 && now - queue[0]!.since > QUEUE_WAIT_MS) queue.shift()!.admit(false)
    }
  }

  /** Serves `req` in a slot of `cls`; `handedOver`: the slot was handed over by release(), already counted. */
  private async serve(req: ApiCall, cls: Pool | undefined, handedOver = false): Promise<ApiReply> {
    if (cls && !handedOver) this.load[cls]++
    try {
      return await this.dispatch(req)
    } catch (err) {
      if (!(err instanceof ApiError)) this.ctx.log.error({ err: err instanceof Error ? err.stack : String(err), req: req.type }, 'apiserver request failed')
      const st = toStatus(err)
      return { type: 'api.reply', code: st.code, body: st }
    } finally {
      if (cls) this.release(cls)
    }
  }

  private kind(req: { group: string; version: string; resource: string }): KindInfo {
    const ki = kindFor(req.group, req.resource)
    if (!ki || req.version !== ki.version) throw notFound({ kind: req.resource, group: req.group, name: '' })
    return ki
  }

  private ns(ki: KindInfo, ns: string | undefined, required: boolean): string | undefined {
    if (!ki.namespaced) return undefined
    if (required && !ns) throw badRequest(`namespace is required for ${ki.plural}`)
    return ns || undefined
  }

  private async dispatch(req: ApiCall): Promise<ApiReply> {
    if (req.resource === 'bindings' && req.type === 'api.create') return this.bind(req, req.body.metadata.name ?? '', req.body)
    const ki = this.kind(req)
    const warnings: string[] = []
    switch (req.type) {
      case 'api.get': return this.get(ki, req)
      case 'api.list': return this.list(ki, req)
      case 'api.create': return withWarnings(await this.create(ki, req, warnings), warnings)
      case 'api.update': return withWarnings(await this.update(ki, req, warnings), warnings)
      case 'api.patch': return withWarnings(await this.patch(ki, req, warnings), warnings)
      case 'api.delete': return this.delete(ki, req)
      case 'api.deletecollection': return this.deleteCollection(ki, req)
      default: throw badRequest(`unknown request ${(req as { type: string }).type}`)
    }
  }

  private who(ki: KindInfo, name?: string) {
    return { kind: ki.plural, group: ki.group, name }
  }

  private async kvOk<R extends Message>(shard: string, req: Parameters<KvClient['ask']>[1]): Promise<R> {
    const r = await this.kv.ask<R>(shard, req)
    if (r.type === 'kv.error') {
      const e = r as KvError
      if (e.code === 'KV_COMPACTED') throw gone(`The provided continue parameter or resourceVersion is too old (compacted at ${e.compactRevision ?? '?'})`)
      throw internal(`etcd: ${e.code}: ${e.message}`)
    }
    return r as R
  }

  private async read(ki: KindInfo, ns: string | undefined, name: string): Promise<Live | undefined> {
    const r = await this.kvOk<KvRangeReply>(this.kv.shardFor(ki.plural), { type: 'kv.range', key: objectKey(ki, ns, name) })
    const kv = r.kvs[0]
    return kv ? { obj: withRv(decode(kv.value), kv.modRevision), kv } : undefined
  }

  /**
   * The watch cache's copy of an object, to try a write against before reading the store (as
   * kube-apiserver's GuaranteedUpdate starts from its cached object): the write's compare on
   * the modRevision fails if the cache was behind, and the caller then reads the store.
   */
  private cachedLive(ki: KindInfo, ns: string | undefined, name: string): Live | undefined {
    const key = objectKey(ki, ns, name)
    const o = this.caches.get(ki.plural)?.objects.get(key)
    const rev = Number(o?.metadata.resourceVersion)
    if (!o || !(rev > 0)) return undefined
    return { obj: structuredClone(o), kv: { key, modRevision: rev } as KeyValue, cached: true }
  }

  private async mustRead(ki: KindInfo, ns: string | undefined, name: string): Promise<Live> {
    const l = await this.read(ki, ns, name)
    if (!l) throw notFound(this.who(ki, name))
    return l
  }

  private async txn(shard: string, compare: KvCompare[], success: KvOp[], failure: KvOp[] = []): Promise<KvTxnReply> {
    return this.kvOk<KvTxnReply>(shard, { type: 'kv.txn', compare, success, failure })
  }

  // ---- get / list ----

  private async get(ki: KindInfo, req: ApiGet): Promise<ApiReply> {
    const ns = this.ns(ki, req.namespace, true)
    const live = await this.mustRead(ki, ns, req.name)
    const obj = typeMeta(ki, live.obj)
    switch (req.subresource) {
      case undefined: case '': case 'status': return ok(obj)
      case 'scale':
        if (!ki.subresources.includes('scale')) throw notFound(this.who(ki, req.name))
        return ok(toScale(obj))
      case 'log':
        if (ki.plural !== 'pods') throw notFound(this.who(ki, req.name))
        return this.podLog(live.obj, req as ApiGet & { container?: string; tailLines?: number; previous?: boolean })
      default: throw notFound({ kind: `${ki.plural}/${req.subresource}`, group: ki.group, name: req.name })
    }
  }

  private async podLog(pod: KObject, req: ApiGet & { container?: string; tailLines?: number; previous?: boolean }): Promise<ApiReply> {
    const spec = pod.spec as { nodeName?: string; containers?: Array<{ name: string }> }
    if (!spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`)
    const containers = spec.containers ?? []
    if (!req.container && containers.length > 1) throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`)
    const container = req.container ?? containers[0]?.name
    const msg = { type: 'kubelet.logs', namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '', ...(container ? { container } : {}), ...(req.tailLines !== undefined ? { tailLines: req.tailLines } : {}), ...(req.previous ? { previous: true } : {}) }
    let r: Message
    try {
      r = await this.ctx.ask(`kubelet@${spec.nodeName}`, msg, { timeoutMs: this.args.requestTimeoutMs })
    } catch {
      throw unavailable(`kubelet on node ${spec.nodeName} did not answer`)
    }
    if (r.type === 'kubelet.logs.reply') {
      const lines = (r as unknown as { lines: string[] }).lines
      const log = lines.length > 0 ? `${lines.join('\n')}\n` : ''
      return ok({ apiVersion: 'v1', kind: 'PodLogs', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace }, container, lines, log })
    }
    if (r.type === 'api.reply') return r as ApiReply
    const st = r as unknown as Status
    if (st.kind === 'Status') return { type: 'api.reply', code: st.code, body: st }
    throw internal(`unexpected kubelet reply ${r.type}`)
  }

  private selectors(ki: KindInfo, opts: { labelSelector?: string; fieldSelector?: string }): { labels: Selector; fields: Selector } {
    return { labels: parseLabelSelector(opts.labelSelector), fields: parseFieldSelector(opts.fieldSelector, ki.plural) }
  }

  /**
   * A list, served as kube-apiserver serves it: resourceVersion '0' from the watch cache as it is;
   * a consistent list (no resourceVersion) from the watch cache once it has caught up with the
   * store, the first page too when a limit is given; a continuation, or a list the cache cannot
   * serve in time, from the store at the list's revision.
   */
  async listObjects(ki: KindInfo, req: ApiList | ApiDeleteCollection): Promise<{ items: KObject[]; rev: number; cont?: string; remaining?: number }> {
    const ns = this.ns(ki, req.namespace, false)
    const sel = this.selectors(ki, req)
    const keep = (o: KObject) => matchLabels(sel.labels, o) && matchFields(sel.fields, o)
    const prefix = listPrefix(ki, ns)
    const limit = req.limit && req.limit > 0 ? req.limit : Infinity
    const cache = this.caches.get(ki.plural)
    // resourceVersion '0' asks for the cache; an instance whose cache is still being filled
    // refuses it (503: the client asks another instance) rather than sending thousands of
    // starting agents' lists to etcd, as kube-apiserver refuses while its watch cache initializes.
    if (req.resourceVersion === '0' && !req.continue && cache && cache.rev === 0) throw storageInitializing(ki.plural)
    const fromCache = req.continue ? undefined
      : req.resourceVersion === '0' ? cache
        : !req.resourceVersion ? await this.freshCache(ki)
          : undefined
    if (fromCache) {
      // A selector on the indexed field (a kubelet's pods, a node by name) reads its index entry.
      const keys = fromCache.candidates(sel.fields)?.filter((k) => k.startsWith(prefix)) ?? [...fromCache.objects.keys()].filter((k) => k.startsWith(prefix)).sort()
      // resourceVersion '0' ignores the limit, as kube-apiserver's cache does.
      const max = req.resourceVersion === '0' ? Infinity : limit
      const items: KObject[] = []
      let i = 0
      for (; i < keys.length && items.length < max; i++) {
        const o = fromCache.objects.get(keys[i]!)!
        if (keep(o)) items.push(o)
      }
      if (i < keys.length) return { items, rev: fromCache.rev, cont: continueToken(fromCache.rev, keys[i]!), remaining: keys.length - i }
      return { items, rev: fromCache.rev }
    }
    let rev = 0
    let start = prefix
    if (req.continue) {
      try {
        const c = JSON.parse(Buffer.from(req.continue, 'base64url').toString()) as { rv: number; start: string }
        if (!c.start.startsWith(prefix)) throw new Error('prefix')
        rev = c.rv
        start = c.start
      } catch {
        throw badRequest('invalid continue token')
      }
    }
    // [start, the end of the prefix): a continuation reads only what is left. A selector that
    // names one object (metadata.name=x, in a namespace for namespaced kinds) reads its key alone.
    const single = !req.continue && (!ki.namespaced || ns) ? singleName(sel.fields) : undefined
    const range = single !== undefined ? { key: prefix + single } : { key: start, end: prefixEnd(prefix) }
    const r = await this.kvOk<KvRangeReply>(this.kv.shardFor(ki.plural), { type: 'kv.range', ...range, ...(rev ? { revision: rev } : {}) })
    rev = rev || r.header.revision
    const all = r.kvs
    const items: KObject[] = []
    let i = 0
    for (; i < all.length && items.length < limit; i++) {
      const o = withRv(decode(all[i]!.value), all[i]!.modRevision)
      if (keep(o)) items.push(o)
    }
    if (i < all.length) return { items, rev, cont: continueToken(rev, all[i]!.key), remaining: all.length - i }
    return { items, rev }
  }

  private async list(ki: KindInfo, req: ApiList): Promise<ApiReply> {
    const l = await this.listObjects(ki, req)
    return ok({
      apiVersion: apiVersionOf(ki),
      kind: ki.listKind,
      metadata: { resourceVersion: String(l.rev), ...(l.cont ? { continue: l.cont, remainingItemCount: l.remaining } : {}) },
      items: l.items.map((o) => typeMeta(ki, o)),
    } as unknown as KObject)
  }

  // ---- create ----

  private prepareNew(ki: KindInfo, body: KObject, ns: string | undefined, fieldValidation: string | undefined, warnings: string[]): KObject {
    if (!body || typeof body !== 'object' || !body.metadata || typeof body.metadata !== 'object') {
      throw badRequest(`${ki.kind} in body is invalid: metadata is required`)
    }
    if (body.kind !== undefined && body.kind !== ki.kind) throw badRequest(`the body kind "${String(body.kind)}" does not match the resource ${ki.plural} (${ki.kind})`)
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(ki)) throw badRequest(`the body apiVersion "${String(body.apiVersion)}" does not match ${apiVersionOf(ki)}`)
    const obj = structuredClone(body)
    obj.apiVersion = apiVersionOf(ki)
    obj.kind = ki.kind
    if (ki.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
      obj.metadata.namespace = ns
    } else delete obj.metadata.namespace
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${generateSuffix(() => this.ctx.random())}`
    // Status is the controllers' to write: a create starts from an empty one (its defaults
    // follow), except for Nodes, which the kubelet registers with their status.
    if (ki.subresources.includes('status') && ki.plural !== 'nodes') delete obj.status
    this.check(ki, obj, fieldValidation, true, warnings)
    if (ki.plural === 'pods') addDefaultTolerations((obj as { spec: Record<string, unknown> }).spec, this.args.defaultTolerationSeconds)
    return obj
  }

  /**
   * Defaults, then validation. Unknown fields: Strict refuses them with their paths, Warn (the
   * default) names each in `warnings` (the Warning header), Ignore passes them silently.
   */
  private check(ki: KindInfo, obj: KObject, fieldValidation: string | undefined, defaults: boolean, warnings: string[] = []): void {
    if (defaults) applyDefaults(ki.plural, obj)
    const v = validate(ki.plural, obj, ki.namespaced)
    if (fieldValidation === 'Strict' && v.unknownFields.length > 0) {
      throw badRequest(`strict decoding error: ${v.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`,
        v.unknownFields.map((f) => ({ reason: 'FieldValueInvalid', field: f, message: `unknown field "${f}"` })))
    }
    if (fieldValidation !== 'Ignore') for (const f of v.unknownFields) warnings.push(`unknown field "${f}"`)
    if (v.causes.length > 0) throw invalid(this.who(ki, obj.metadata.name), v.causes, ki.kind)
  }

  private async checkNamespace(ki: KindInfo, ns: string | undefined, name: string | undefined): Promise<void> {
    if (!ki.namespaced || !ns) return
    const nsKind = kindFor('', 'namespaces')!
    // A consistent read: another instance may have just created or started deleting it.
    const live = (await this.read(nsKind, undefined, ns))?.obj
    if (!live) throw notFound({ kind: 'namespaces', name: ns })
    if ((live.status as { phase?: string } | undefined)?.phase === 'Terminating' || live.metadata.deletionTimestamp) {
      throw forbidden(this.who(ki, name), `unable to create new content in namespace ${ns} because it is being terminated`)
    }
  }

  private async create(ki: KindInfo, req: ApiCreate, warnings: string[] = [], operation: 'Apply' | 'Update' = 'Update'): Promise<ApiReply> {
    if (req.subresource) {
      if (ki.plural === 'pods' && req.subresource === 'binding') return this.bind(req, req.name ?? '', req.body)
      if (ki.plural === 'pods' && req.subresource === 'eviction') return this.evict(ki, req)
      throw methodNotAllowed(`create is not supported on ${ki.plural}/${req.subresource}`)
    }
    const ns = this.ns(ki, req.namespace, true)
    const obj = this.prepareNew(ki, req.body, ns, req.fieldValidation, warnings)
    const name = obj.metadata.name!
    await this.checkNamespace(ki, ns, name)
    const meta = obj.metadata
    meta.uid = newUid(() => this.ctx.random())
    meta.creationTimestamp = timestamp(this.ctx.now())
    meta.generation = 1
    delete meta.resourceVersion
    delete meta.deletionTimestamp
    delete meta.deletionGracePeriodSeconds
    delete meta.managedFields
    if (req.fieldManager) recordWrite(undefined, obj, { manager: req.fieldManager, operation, apiVersion: obj.apiVersion, time: meta.creationTimestamp })
    if (req.dryRun) return { type: 'api.reply', code: 201, body: obj }
    if (ki.plural === 'services') return this.createService(ki, obj)
    return this.insert(ki, obj)
  }

  private async insert(ki: KindInfo, obj: KObject, extra: { compare?: KvCompare[]; ops?: KvOp[] } = {}): Promise<ApiReply> {
    const key = objectKey(ki, obj.metadata.namespace, obj.metadata.name!)
    const r = await this.txn(this.kv.shardFor(ki.plural),
      [{ key, target: 'create', result: '=', value: 0 }, ...(extra.compare ?? [])],
      [{ op: 'put', key, value: encode(forStorage(obj)) }, ...(extra.ops ?? [])],
      [{ op: 'range', key }])
    if (!r.succeeded) {
      const existing = r.responses[0]
      if (existing && existing.op === 'range' && existing.kvs.length > 0) throw alreadyExists(this.who(ki, obj.metadata.name))
      throw conflict(this.who(ki, obj.metadata.name), 'a precondition failed')
    }
    return { type: 'api.reply', code: 201, body: withRv(obj, r.header.revision) }
  }

  // ---- services: ClusterIP allocation in the same txn as the Service ----

  private async createService(ki: KindInfo, obj: KObject): Promise<ApiReply> {
    const spec = obj.spec as { type?: string; clusterIP?: string; clusterIPs?: string[] }
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None') {
      if (spec.clusterIP === 'None') spec.clusterIPs = ['None']
      return this.insert(ki, obj)
    }
    const requested = spec.clusterIP || spec.clusterIPs?.[0]
    const reserved = requested === this.cidr.first && obj.metadata.namespace === 'default' && obj.metadata.name === 'kubernetes'
    if (requested && !reserved && !this.cidr.usable(requested)) {
      throw invalid(this.who(ki, obj.metadata.name), [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${requested}"]: failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.args.serviceCIDR}` }], ki.kind)
    }
    const shard = this.kv.shardFor(ki.plural)
    const key = objectKey(ki, obj.metadata.namespace, obj.metadata.name!)
    for (let attempt = 0; attempt < 24; attempt++) {
      const ip = requested ?? (attempt < 16 ? this.cidr.candidate(this.ctx.random()) : await this.firstFreeIp(shard))
      if (!ip) break
      spec.clusterIP = ip
      spec.clusterIPs = [ip]
      const r = await this.txn(shard,
        [{ key, target: 'create', result: '=', value: 0 }, { key: ipKey(ip), target: 'create', result: '=', value: 0 }],
        [{ op: 'put', key, value: encode(forStorage(obj)) }, { op: 'put', key: ipKey(ip), value: new TextEncoder().encode(key) }],
        [{ op: 'range', key }])
      if (r.succeeded) return { type: 'api.reply', code: 201, body: withRv(obj, r.header.revision) }
      const existing = r.responses[0]
      if (existing && existing.op === 'range' && existing.kvs.length > 0) throw alreadyExists(this.who(ki, obj.metadata.name))
      if (requested) {
        throw invalid(this.who(ki, obj.metadata.name), [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${ip}"]: failed to allocate IP ${ip}: provided IP is already allocated` }], ki.kind)
      }
    }
    throw internal(`failed to allocate a serviceIP: range ${this.args.serviceCIDR} is full`)
  }

  private async firstFreeIp(shard: string): Promise<string | undefined> {
    const r = await this.kvOk<KvRangeReply>(shard, { type: 'kv.range', key: IP_KEY_PREFIX, prefix: true })
    const used = new Set(r.kvs.map((kv) => kv.key.slice(IP_KEY_PREFIX.length)))
    for (let i = 0; i < this.cidr.capacity; i++) {
      const ip = this.cidr.nth(i)!
      if (!used.has(ip)) return ip
    }
    return undefined
  }

  // ---- pods/binding, pods/eviction ----

  private async bind(req: ApiCreate, name: string, body: KObject): Promise<ApiReply> {
    const ki = kindFor('', 'pods')!
    const ns = this.ns(ki, req.namespace, true)
    const target = (body as { target?: { name?: string; kind?: string } }).target
    if (!target?.name) throw invalid({ kind: 'bindings', name }, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }], 'Binding')
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = (attempt === 0 ? this.cachedLive(ki, ns, name) : undefined) ?? await this.mustRead(ki, ns, name)
      const pod = structuredClone(live.obj)
      const spec = pod.spec as { nodeName?: string }
      if (pod.metadata.deletionTimestamp) throw conflict(this.who(ki, name), 'pod is being deleted, cannot be assigned to a host')
      if (spec.nodeName) throw conflict(this.who(ki, name), `pod ${name} is already assigned to node "${spec.nodeName}"`)
      if (body.metadata?.uid && body.metadata.uid !== pod.metadata.uid) throw conflict(this.who(ki, name), 'the UID in the precondition does not match the UID in record')
      spec.nodeName = target.name
      const status = (pod.status ??= {}) as { conditions?: Array<Record<string, unknown>> }
      const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(this.ctx.now()) })
      status.conditions = conds
      if (await this.put(ki, live, pod)) return { type: 'api.reply', code: 201, body: successStatus() }
    }
    throw conflict(this.who(ki, name), 'the object has been modified; please apply your changes to the latest version and try again')
  }

  private async evict(ki: KindInfo, req: ApiCreate): Promise<ApiReply> {
    const opts = (req.body as { deleteOptions?: DeleteOptions }).deleteOptions
    const r = await this.delete(ki, { type: 'api.delete', group: '', version: 'v1', resource: 'pods', namespace: req.namespace, name: req.name ?? '', options: opts })
    return r.code < 300 ? { type: 'api.reply', code: 201, body: successStatus() } : r
  }

  // ---- update / patch ----

  /** Write `next` over `live` if the store still holds that revision; false on a lost race. */
  private async put(ki: KindInfo, live: Live, next: KObject): Promise<KObject | undefined> {
    const key = live.kv.key
    const r = await this.txn(this.kv.shardFor(ki.plural), [{ key, target: 'mod', result: '=', value: live.kv.modRevision }], [{ op: 'put', key, value: encode(forStorage(next)) }])
    return r.succeeded ? withRv(next, r.header.revision) : undefined
  }

  /** The object an update of `live` with `body` stores (subresource rules, immutable fields, generation). */
  private merged(ki: KindInfo, live: KObject, body: KObject, subresource: string | undefined, fieldValidation: string | undefined, warnings: string[]): KObject {
    const name = live.metadata.name
    if (body.metadata?.name !== undefined && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`)
    if (ki.namespaced && body.metadata?.namespace !== undefined && body.metadata.namespace !== live.metadata.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
    let next: KObject
    if (subresource === 'status') {
      if (!ki.subresources.includes('status')) throw notFound({ kind: `${ki.plural}/status`, name })
      next = { ...structuredClone(live), status: structuredClone(body.status) }
    } else if (subresource === 'scale') {
      if (!ki.subresources.includes('scale')) throw notFound({ kind: `${ki.plural}/scale`, name })
      const replicas = (body.spec as { replicas?: unknown } | undefined)?.replicas
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw invalid(this.who(ki, name), [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }], 'Scale')
      next = structuredClone(live)
      ;(next.spec as { replicas: number }).replicas = replicas
    } else if (subresource === 'finalize') {
      if (ki.plural !== 'namespaces') throw notFound({ kind: `${ki.plural}/finalize`, name })
      next = structuredClone(live)
      ;(next.spec as { finalizers?: string[] }).finalizers = (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []
    } else if (subresource) {
      throw methodNotAllowed(`update is not supported on ${ki.plural}/${subresource}`)
    } else {
      if (body.kind !== undefined && body.kind !== ki.kind) throw badRequest(`the body kind "${String(body.kind)}" does not match ${ki.kind}`)
      next = structuredClone(body)
      next.apiVersion = apiVersionOf(ki)
      next.kind = ki.kind
      if (ki.subresources.includes('status')) next.status = structuredClone(live.status)
      const m = next.metadata
      const lm = live.metadata
      m.name = lm.name
      if (ki.namespaced) m.namespace = lm.namespace
      m.uid = lm.uid
      m.creationTimestamp = lm.creationTimestamp
      m.generation = lm.generation
      m.deletionTimestamp = lm.deletionTimestamp
      m.deletionGracePeriodSeconds = lm.deletionGracePeriodSeconds
      if (m.deletionTimestamp === undefined) delete m.deletionTimestamp
      if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds
      if (m.generateName === undefined && lm.generateName !== undefined) m.generateName = lm.generateName
      if (ki.plural === 'namespaces' && live.metadata.deletionTimestamp) (next.spec as Record<string, unknown>) = structuredClone(live.spec) as Record<string, unknown>
    }
    this.check(ki, next, subresource ? 'Ignore' : fieldValidation, true, warnings)
    this.immutables(ki, live, next)
    if (ki.hasSpec && !deepEqual(live.spec, next.spec)) next.metadata.generation = (live.metadata.generation ?? 0) + 1
    return next
  }

  /**
   * managedFields of a write that is not an apply: the stored ones, unless the body clears them
   * with an empty list; fields the write changed go to its manager. Objects that track no
   * ownership (made by in-cluster components, which name no field manager) stay without it.
   */
  private recordOwnership(live: KObject, next: KObject, body: KObject, manager: string | undefined, subresource: string | undefined): void {
    const sent = body?.metadata?.managedFields
    if (Array.isArray(sent) && sent.length === 0) {
      delete next.metadata.managedFields
      return
    }
    if (live.metadata.managedFields === undefined) delete next.metadata.managedFields
    else next.metadata.managedFields = structuredClone(live.metadata.managedFields)
    if (live.metadata.managedFields === undefined || subresource === 'status') return
    recordWrite(live, next, { manager: manager ?? 'unknown', operation: 'Update', ...(subresource ? { subresource } : {}), apiVersion: next.apiVersion, time: timestamp(this.ctx.now()) })
  }

  private immutables(ki: KindInfo, live: KObject, next: KObject): void {
    const causes: Array<{ reason: string; field: string; message: string }> = []
    const ls = (live.spec ?? {}) as Record<string, any>
    const ns = (next.spec ?? {}) as Record<string, any>
    if (ki.plural === 'pods') {
      const strip = (s: Record<string, any>) => ({
        ...s,
        containers: (s.containers ?? []).map((c: Record<string, unknown>) => ({ ...c, image: undefined })),
        initContainers: (s.initContainers ?? []).map((c: Record<string, unknown>) => ({ ...c, image: undefined })),
        activeDeadlineSeconds: undefined,
        tolerations: undefined,
      })
      if (!deepEqual(strip(ls), strip(ns))) causes.push({ reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)' })
    }
    if (ki.plural === 'services' && ls.clusterIP && ls.clusterIP !== 'None') {
      if (ns.clusterIP === undefined || ns.clusterIP === '') {
        ns.clusterIP = ls.clusterIP
        ns.clusterIPs = ls.clusterIPs
      } else if (ns.clusterIP !== ls.clusterIP) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ["${ns.clusterIP}"]: may not change once set` })
    }
    if (['deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs'].includes(ki.plural) && !deepEqual(ls.selector, ns.selector)) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: field is immutable' })
    }
    if (causes.length > 0) throw invalid(this.who(ki, live.metadata.name), causes, ki.kind)
  }

  /** Store `next` (computed from `live`); removes the object when its deletion has finished. */
  private async commit(ki: KindInfo, live: Live, next: KObject): Promise<ApiReply | undefined> {
    const nm = next.metadata
    if (nm.deletionTimestamp && (nm.finalizers ?? []).length === 0 && (nm.deletionGracePeriodSeconds ?? 0) === 0 &&
        !(ki.plural === 'namespaces' && ((next.spec as { finalizers?: string[] })?.finalizers ?? []).length > 0)) {
      const r = await this.remove(ki, live)
      return r ? ok(typeMeta(ki, withRv(next, r))) : undefined
    }
    if (deepEqual(forStorage(live.obj), forStorage(next))) {
      // Nothing to write against the cache's copy, which may be behind the store: read it.
      if (live.cached) return undefined
      return ok(typeMeta(ki, live.obj))
    }
    const stored = await this.put(ki, live, next)
    return stored ? ok(typeMeta(ki, stored)) : undefined
  }

  private async update(ki: KindInfo, req: ApiUpdate, warnings: string[] = []): Promise<ApiReply> {
    const ns = this.ns(ki, req.namespace, true)
    const live = await this.read(ki, ns, req.name)
    if (!live) {
      if (!req.subresource && CREATE_ON_UPDATE.has(ki.plural)) {
        const body = { ...req.body, metadata: { ...req.body.metadata, name: req.body.metadata?.name ?? req.name } }
        return this.create(ki, { type: 'api.create', group: req.group, version: req.version, resource: req.resource, namespace: req.namespace, body, fieldValidation: req.fieldValidation }, warnings)
      }
      throw notFound(this.who(ki, req.name))
    }
    const rv = req.body?.metadata?.resourceVersion
    if (rv !== undefined && rv !== '' && rv !== live.obj.metadata.resourceVersion) {
      throw conflict(this.who(ki, req.name), 'the object has been modified; please apply your changes to the latest version and try again')
    }
    const next = this.merged(ki, live.obj, req.body, req.subresource, req.fieldValidation, warnings)
    this.recordOwnership(live.obj, next, req.body, req.fieldManager, req.subresource)
    const r = await this.commit(ki, live, next)
    if (!r) throw conflict(this.who(ki, req.name), 'the object has been modified; please apply your changes to the latest version and try again')
    return req.subresource === 'scale' ? ok(toScale(r.body as KObject)) : r
  }

  private async patch(ki: KindInfo, req: ApiPatch, warnings: string[] = []): Promise<ApiReply> {
    const ns = this.ns(ki, req.namespace, true)
    // The first attempt of a merge patch starts from the watch cache, unless it pins a
    // resourceVersion: a stale cache must not be taken for a conflict (nor, for JSON patch
    // tests and server-side apply's field owners, for a failed precondition).
    const fromCache = (req.patchType === 'merge' || req.patchType === 'strategic') && !hasRvPrecondition(req.patch)
    for (let attempt = 0; attempt < 8; attempt++) {
      const live = (attempt === 0 && fromCache ? this.cachedLive(ki, ns, req.name) : undefined) ?? await this.read(ki, ns, req.name)
      if (!live) {
        if (req.patchType === 'apply' && !req.subresource) {
          const body = structuredClone(req.patch) as KObject
          body.metadata = { ...(body.metadata ?? {}), name: req.name }
          return this.create(ki, { type: 'api.create', group: req.group, version: req.version, resource: req.resource, namespace: req.namespace, body, fieldManager: req.fieldManager, fieldValidation: req.fieldValidation }, warnings, 'Apply')
        }
        throw notFound(this.who(ki, req.name))
      }
      const base = req.subresource === 'scale' ? toScale(typeMeta(ki, live.obj)) : typeMeta(ki, live.obj)
      const ssa = req.patchType === 'apply' && !req.subresource && req.fieldManager !== undefined
      const patched = (ssa
        ? serverSideApply(base, req.patch as Record<string, unknown>, { manager: req.fieldManager!, force: req.force === true, time: timestamp(this.ctx.now()), who: this.who(ki, req.name) })
        : applyPatch(req.patchType, base, req.patch)) as KObject
      if (!patched || typeof patched !== 'object' || !patched.metadata) throw badRequest('the patched object has no metadata')
      const rv = patched.metadata.resourceVersion
      const pinned = rv !== undefined && rv !== live.obj.metadata.resourceVersion
      if (pinned) throw conflict(this.who(ki, req.name), 'the object has been modified; please apply your changes to the latest version and try again')
      const next = this.merged(ki, live.obj, patched, req.subresource, req.fieldValidation, warnings)
      if (!ssa) this.recordOwnership(live.obj, next, patched, req.fieldManager, req.subresource)
      const r = await this.commit(ki, live, next)
      if (r) return req.subresource === 'scale' ? ok(toScale(r.body as KObject)) : r
      if (hasRvPrecondition(req.patch)) break
    }
    throw conflict(this.who(ki, req.name), 'the object has been modified; please apply your changes to the latest version and try again')
  }

  // ---- delete ----

  /** Remove the object (and a Service's ClusterIP) if it is still at the read revision. */
  private async remove(ki: KindInfo, live: Live): Promise<number | undefined> {
    const ops: KvOp[] = [{ op: 'delete', key: live.kv.key }]
    const ip = ki.plural === 'services' ? (live.obj.spec as { clusterIP?: string }).clusterIP : undefined
    if (ip && ip !== 'None') ops.push({ op: 'delete', key: ipKey(ip) })
    const r = await this.txn(this.kv.shardFor(ki.plural), [{ key: live.kv.key, target: 'mod', result: '=', value: live.kv.modRevision }], ops)
    return r.succeeded ? r.header.revision : undefined
  }

  private async delete(ki: KindInfo, req: ApiDelete): Promise<ApiReply> {
    const ns = this.ns(ki, req.namespace, true)
    const o = req.options ?? {}
    for (let attempt = 0; attempt < 8; attempt++) {
      const live = await this.mustRead(ki, ns, req.name)
      const m = live.obj.metadata
      if (o.preconditions?.uid && o.preconditions.uid !== m.uid) throw conflict(this.who(ki, req.name), `Precondition failed: UID in precondition: ${o.preconditions.uid}, UID in object meta: ${m.uid}`)
      if (o.preconditions?.resourceVersion && o.preconditions.resourceVersion !== m.resourceVersion) throw conflict(this.who(ki, req.name), `Precondition failed: ResourceVersion in precondition: ${o.preconditions.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`)
      if (o.dryRun?.length) return ok(typeMeta(ki, live.obj))
      const next = this.deletionOf(ki, live.obj, o)
      const r = next ? await this.commit(ki, live, next) : await this.remove(ki, live).then((rev) => (rev ? ok(typeMeta(ki, withRv(live.obj, rev))) : undefined))
      if (r) return r
      if (o.preconditions?.resourceVersion) break
    }
    throw conflict(this.who(ki, req.name), 'the object has been modified; please apply your changes to the latest version and try again')
  }

  /** The object with its deletion recorded, or undefined when it goes at once. */
  private deletionOf(ki: KindInfo, live: KObject, o: DeleteOptions): KObject | undefined {
    const next = structuredClone(live)
    const m = next.metadata
    const finalizers = [...(m.finalizers ?? [])]
    const add = o.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : o.propagationPolicy === 'Orphan' ? 'orphan' : undefined
    if (add && !finalizers.includes(add)) finalizers.push(add)
    if (o.propagationPolicy === 'Background') for (const f of ['foregroundDeletion', 'orphan']) { const i = finalizers.indexOf(f); if (i >= 0) finalizers.splice(i, 1) }
    if (finalizers.length > 0) m.finalizers = finalizers
    else delete m.finalizers
    if (ki.plural === 'namespaces') {
      next.status = { ...((next.status ?? {}) as object), phase: 'Terminating' }
      const specFin = (next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []
      if (specFin.length === 0 && finalizers.length === 0) return undefined
      if (!m.deletionTimestamp) m.deletionTimestamp = timestamp(this.ctx.now())
      m.deletionGracePeriodSeconds = 0
      return next
    }
    let grace = 0
    if (ki.plural === 'pods') {
      const spec = next.spec as { nodeName?: string; terminationGracePeriodSeconds?: number }
      const phase = (next.status as { phase?: string } | undefined)?.phase
      grace = o.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0
      if (grace < 0) grace = 0
    }
    if (finalizers.length === 0 && grace === 0) return undefined
    if (m.deletionTimestamp) {
      const cur = m.deletionGracePeriodSeconds ?? 0
      if (grace < cur) {
        m.deletionGracePeriodSeconds = grace
        m.deletionTimestamp = timestamp(this.ctx.now() + grace * 1000)
      }
      return next
    }
    m.deletionTimestamp = timestamp(this.ctx.now() + grace * 1000)
    m.deletionGracePeriodSeconds = grace
    m.generation = (m.generation ?? 0) + 1
    return next
  }

  private async deleteCollection(ki: KindInfo, req: ApiDeleteCollection): Promise<ApiReply> {
    const ns = this.ns(ki, req.namespace, false)
    if (ki.namespaced && !ns && ki.plural !== 'events') throw badRequest(`namespace is required for deletecollection of ${ki.plural}`)
    const l = await this.listObjects(ki, { ...req, resourceVersion: undefined })
    const items: KObject[] = []
    for (const o of l.items) {
      const r = await this.delete(ki, { type: 'api.delete', group: req.group, version: req.version, resource: req.resource, namespace: o.metadata.namespace, name: o.metadata.name!, options: req.options })
      if (r.code < 300) items.push(r.body as KObject)
      else if (r.code !== 404) return r
    }
    return ok({ apiVersion: apiVersionOf(ki), kind: ki.listKind, metadata: { resourceVersion: String(l.rev) }, items } as unknown as KObject)
  }

  // ---- watch ----

  async watch(req: ApiWatch, sink: WatchSink): Promise<{ reply: ApiReply; stop: () => void }> {
    const noop = () => {}
    try {
      const ki = this.kind(req)
      const ns = this.ns(ki, req.namespace, false)
      const sel = this.selectors(ki, req)
      const cache = this.caches.get(ki.plural)
      if (!cache || !this.isReady) throw unavailable('the watch cache is not ready yet')
      const rvStr = req.resourceVersion
      let fromRev: number | undefined
      if (rvStr !== undefined && rvStr !== '' && rvStr !== '0') {
        fromRev = Number(rvStr)
        if (!Number.isInteger(fromRev) || fromRev < 0) throw badRequest(`invalid resource version "${rvStr}"`)
      }
      const w = cache.watch({ namespace: ns, labels: sel.labels, fields: sel.fields, fromRev, bookmarks: req.allowWatchBookmarks ?? false, initialEvents: req.sendInitialEvents }, sink)
      let timer: Promise<void> | undefined
      const stop = () => {
        cache.remove(w)
        w.closed = true
      }
      if (req.timeoutSeconds && req.timeoutSeconds > 0) {
        timer = this.ctx.sleep(req.timeoutSeconds * 1000)
        timer.then(() => {
          if (!w.closed) {
            cache.remove(w)
            w.close()
          }
        })
      }
      return { reply: { type: 'api.reply', code: 200, body: successStatus() }, stop }
    } catch (err) {
      const st = toStatus(err)
      return { reply: { type: 'api.reply', code: st.code, body: st }, stop: noop }
    }
  }
}

function ok(body: KObject): ApiReply {
  return { type: 'api.reply', code: 200, body }
}

function hasRvPrecondition(patch: unknown): boolean {
  const m = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata
  return !!m && m.resourceVersion !== undefined
}

/** A continue token: the list's revision and the first key of the next page. */
function continueToken(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ rv, start })).toString('base64url')
}
