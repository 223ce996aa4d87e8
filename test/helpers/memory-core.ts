// An in-memory ApiServerCore for gateway tests: objects in a Map, one revision counter, watch
// history for resume/410, patches through the API server's own patch module. Optionally
// fills in workload status (autoStatus) so `kubectl rollout status` completes.
import type { ApiReply, ApiWatch, WatchEvent } from '../../protocols/api.ts'
import type { KList, KObject, Status } from '../../protocols/k8s.ts'
import type { ApiCall, ApiServerCore, WatchSink } from '../../actors/apiserver/types.ts'
import { KINDS, type KindInfo } from '../../actors/apiserver/http/kinds.ts'
import { applyPatch } from '../../actors/apiserver/patch/index.ts'
import { ApiError } from '../../actors/apiserver/errors.ts'
import { applyDefaults } from '../../actors/apiserver/defaults.ts'
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../../actors/apiserver/selectors.ts'

interface Watcher {
  w: ApiWatch
  sink: WatchSink
}

const st = (code: number, reason: string, message: string, details?: Status['details']): Status => ({
  apiVersion: 'v1', kind: 'Status', metadata: {}, status: code < 300 ? 'Success' : 'Failure', message, reason, code, ...(details ? { details } : {}),
})
const clone = <T>(x: T): T => structuredClone(x)

export class MemoryCore implements ApiServerCore {
  isReady = true
  historyLimit = 1000
  autoStatus: boolean
  private rv = 1
  private readonly objects = new Map<string, KObject>()
  private readonly history: Array<{ rv: number; ev: WatchEvent; info: KindInfo }> = []
  private readonly watchers = new Set<Watcher>()
  private readonly logs = new Map<string, string>()
  private uid = 0

  constructor(opts: { autoStatus?: boolean; now?: () => number } = {}) {
    this.autoStatus = opts.autoStatus ?? true
    this.now = opts.now ?? (() => Date.now())
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.put(this.kind('', 'namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: `ns-${ns}`, creationTimestamp: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z') }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }, 'ADDED')
    }
  }

  private readonly now: () => number

  ready(): boolean {
    return this.isReady
  }

  setLog(namespace: string, name: string, text: string): void {
    this.logs.set(`${namespace}/${name}`, text)
  }

  /** Number of open watches (for tests that check cleanup). */
  get watchCount(): number {
    return this.watchers.size
  }

  async handle(req: ApiCall): Promise<ApiReply> {
    try {
      return this.dispatch(req)
    } catch (err) {
      if (err instanceof ApiError) return { type: 'api.reply', code: err.status.code, body: err.status }
      throw err
    }
  }

  async watch(req: ApiWatch, sink: WatchSink): Promise<{ reply: ApiReply; stop: () => void }> {
    const info = this.kind(req.group, req.resource)
    const w: Watcher = { w: req, sink }
    const stop = () => {
      this.watchers.delete(w)
    }
    let initial: WatchEvent[] = []
    try {
      if (req.sendInitialEvents) {
        initial = this.select(info, req).map((o) => ({ type: 'ADDED', object: clone(o) }))
      } else if (req.resourceVersion) {
        const from = Number(req.resourceVersion)
        const oldest = this.history.length ? this.history[0].rv : this.rv
        if (from < oldest - 1) {
          return { reply: { type: 'api.reply', code: 410, body: st(410, 'Expired', `too old resource version: ${from} (${oldest - 1})`) }, stop }
        }
        initial = this.history.filter((h) => h.rv > from && h.info === info && this.matches(h.ev.object as KObject, req)).map((h) => clone(h.ev))
      }
    } catch (err) {
      if (err instanceof ApiError) return { reply: { type: 'api.reply', code: err.status.code, body: err.status }, stop }
      throw err
    }
    this.watchers.add(w)
    if (initial.length) queueMicrotask(() => sink.send(initial))
    return { reply: { type: 'api.reply', code: 200, body: { metadata: {} } as KObject }, stop }
  }

  /** End every watch (as a dying instance would). */
  closeAllWatches(status?: Status): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w)
      w.sink.close(status)
    }
  }

  private kind(group: string, resource: string): KindInfo {
    const k = KINDS.find((x) => x.group === group && x.plural === resource)
    if (!k) throw new ApiError(st(404, 'NotFound', 'the server could not find the requested resource'))
    return k
  }

  private key(info: KindInfo, ns: string | undefined, name: string): string {
    return `${info.group}/${info.plural}/${info.namespaced ? ns ?? '' : ''}/${name}`
  }

  private ok(code: number, body: KObject | Status): ApiReply {
    return { type: 'api.reply', code, body }
  }

  private notFound(info: KindInfo, name: string): ApiError {
    return new ApiError(st(404, 'NotFound', `${info.group ? `${info.plural}.${info.group}` : info.plural} "${name}" not found`, { name, group: info.group, kind: info.plural }))
  }

  private matches(o: KObject, req: { namespace?: string; labelSelector?: string; fieldSelector?: string; resource: string }): boolean {
    if (req.namespace !== undefined && o.metadata.namespace !== req.namespace) return false
    return matchLabels(parseLabelSelector(req.labelSelector), o) && matchFields(parseFieldSelector(req.fieldSelector, req.resource), o)
  }

  private select(info: KindInfo, req: { namespace?: string; labelSelector?: string; fieldSelector?: string; resource: string }): KObject[] {
    const prefix = `${info.group}/${info.plural}/`
    const out: KObject[] = []
    for (const [k, o] of this.objects) if (k.startsWith(prefix) && this.matches(o, req)) out.push(o)
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
  }

  private put(info: KindInfo, obj: KObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): KObject {
    const rv = ++this.rv
    obj.metadata.resourceVersion = String(rv)
    const key = this.key(info, obj.metadata.namespace, obj.metadata.name as string)
    if (type === 'DELETED') this.objects.delete(key)
    else this.objects.set(key, obj)
    const ev: WatchEvent = { type, object: clone(obj) }
    this.history.push({ rv, ev, info })
    if (this.history.length > this.historyLimit) this.history.shift()
    for (const w of this.watchers) {
      if (w.w.group === info.group && w.w.resource === info.plural && this.matches(obj, w.w)) w.sink.send([clone(ev)])
    }
    return obj
  }

  private status(info: KindInfo, obj: KObject): void {
    if (!this.autoStatus) return
    const spec = (obj.spec ?? {}) as { replicas?: number }
    const replicas = spec.replicas ?? 1
    const gen = obj.metadata.generation ?? 1
    if (info.plural === 'deployments' || info.plural === 'statefulsets' || info.plural === 'replicasets') {
      obj.status = { observedGeneration: gen, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, currentReplicas: replicas }
    }
  }

  private dispatch(req: ApiCall): ApiReply {
    const info = this.kind(req.group, req.resource)
    const ns = info.namespaced ? req.namespace : undefined
    switch (req.type) {
      case 'api.get': {
        const o = this.objects.get(this.key(info, ns, req.name))
        if (!o) throw this.notFound(info, req.name)
        if (req.subresource === 'log') return this.ok(200, { log: this.logs.get(`${ns}/${req.name}`) ?? '' } as unknown as KObject)
        if (req.subresource === 'scale') return this.ok(200, this.scaleOf(info, o))
        return this.ok(200, clone(o))
      }
      case 'api.list': {
        const items = this.select(info, { ...req, namespace: ns }).map(clone)
        const list: KList = { apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.listKind, metadata: { resourceVersion: String(this.rv) }, items }
        return this.ok(200, list as unknown as KObject)
      }
      case 'api.create': {
        if (req.subresource === 'binding') {
          const pods = this.kind('', 'pods')
          const pod = this.objects.get(this.key(pods, ns, req.name as string))
          if (!pod) throw this.notFound(pods, req.name as string)
          const target = (req.body as { target?: { name?: string } }).target?.name
          const next = clone(pod)
          ;(next.spec as Record<string, unknown>).nodeName = target
          this.put(pods, next, 'MODIFIED')
          return this.ok(201, st(201, '', '') as Status)
        }
        return this.create(info, ns, clone(req.body), req.dryRun === true)
      }
      case 'api.update': {
        const key = this.key(info, ns, req.name)
        const live = this.objects.get(key)
        if (!live) throw this.notFound(info, req.name)
        const body = clone(req.body)
        if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== live.metadata.resourceVersion) {
          throw new ApiError(st(409, 'Conflict', `Operation cannot be fulfilled on ${info.plural} "${req.name}": the object has been modified; please apply your changes to the latest version and try again`))
        }
        if (req.subresource === 'scale') {
          const next = clone(live)
          ;(next.spec as Record<string, unknown>).replicas = (body.spec as { replicas?: number })?.replicas ?? 0
          return this.ok(200, this.scaleOf(info, this.modify(info, live, next)))
        }
        if (req.subresource === 'status') {
          const next = clone(live)
          next.status = body.status
          return this.ok(200, clone(this.put(info, next, 'MODIFIED')))
        }
        return this.ok(200, clone(this.modify(info, live, body)))
      }
      case 'api.patch': {
        const key = this.key(info, ns, req.name)
        const live = this.objects.get(key)
        if (!live) {
          if (req.patchType === 'apply') return this.create(info, ns, clone(req.patch as KObject), false)
          throw this.notFound(info, req.name)
        }
        if (req.subresource === 'scale') {
          const scale = applyPatch(req.patchType, this.scaleOf(info, live), req.patch) as { spec?: { replicas?: number } }
          const next = clone(live)
          ;(next.spec as Record<string, unknown>).replicas = scale.spec?.replicas ?? 0
          return this.ok(200, this.scaleOf(info, this.modify(info, live, next)))
        }
        const next = applyPatch(req.patchType, clone(live), req.patch) as KObject
        return this.ok(200, clone(this.modify(info, live, next)))
      }
      case 'api.delete': {
        const live = this.objects.get(this.key(info, ns, req.name))
        if (!live) throw this.notFound(info, req.name)
        if (req.options?.dryRun?.length) return this.ok(200, clone(live))
        const gone = this.put(info, clone(live), 'DELETED')
        return this.ok(200, clone(gone))
      }
      case 'api.deletecollection': {
        const items = this.select(info, { ...req, namespace: ns })
        for (const o of items) this.put(info, clone(o), 'DELETED')
        return this.ok(200, { apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.listKind, metadata: { resourceVersion: String(this.rv) }, items } as unknown as KObject)
      }
    }
  }

  private scaleOf(info: KindInfo, o: KObject): KObject {
    const replicas = (o.spec as { replicas?: number })?.replicas ?? 1
    return {
      apiVersion: 'autoscaling/v1', kind: 'Scale',
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas },
      status: { replicas: (o.status as { replicas?: number } | undefined)?.replicas ?? 0, selector: info.plural === 'deployments' ? Object.entries(((o.spec as any)?.selector?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') : '' },
    }
  }

  private create(info: KindInfo, ns: string | undefined, obj: KObject, dryRun: boolean): ApiReply {
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {}
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${(++this.uid).toString(36).padStart(5, 'x')}`
    if (!obj.metadata.name || typeof obj.metadata.name !== 'string') {
      throw new ApiError(st(422, 'Invalid', `${info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: info.kind, causes: [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }] }))
    }
    if (info.namespaced) obj.metadata.namespace = ns ?? obj.metadata.namespace ?? 'default'
    const key = this.key(info, obj.metadata.namespace, obj.metadata.name)
    if (this.objects.has(key)) {
      throw new ApiError(st(409, 'AlreadyExists', `${info.group ? `${info.plural}.${info.group}` : info.plural} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, group: info.group, kind: info.plural }))
    }
    obj.apiVersion = info.group ? `${info.group}/${info.version}` : info.version
    obj.kind = info.kind
    obj.metadata.uid = `00000000-0000-4000-8000-${(++this.uid).toString(16).padStart(12, '0')}`
    obj.metadata.creationTimestamp = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z')
    if (info.hasSpec) obj.metadata.generation = 1
    applyDefaults(info.plural, obj)
    this.status(info, obj)
    if (dryRun) return this.ok(201, obj)
    return this.ok(201, clone(this.put(info, obj, 'ADDED')))
  }

  private modify(info: KindInfo, live: KObject, next: KObject): KObject {
    next.metadata = { ...next.metadata, uid: live.metadata.uid, creationTimestamp: live.metadata.creationTimestamp, name: live.metadata.name, namespace: live.metadata.namespace }
    next.apiVersion = live.apiVersion
    applyDefaults(info.plural, next)
    next.kind = live.kind
    if (info.hasSpec && JSON.stringify(next.spec) !== JSON.stringify(live.spec)) next.metadata.generation = (live.metadata.generation ?? 1) + 1
    else next.metadata.generation = live.metadata.generation
    this.status(info, next)
    return this.put(info, next, 'MODIFIED')
  }
}

/** Counts the watches one gateway holds open on a shared core (to find the instance serving a watch). */
export class CountingCore implements ApiServerCore {
  openWatches = 0
  constructor(private readonly inner: ApiServerCore) {}
  ready(): boolean {
    return this.inner.ready()
  }
  handle(req: ApiCall): Promise<ApiReply> {
    return this.inner.handle(req)
  }
  async watch(req: ApiWatch, sink: WatchSink): Promise<{ reply: ApiReply; stop: () => void }> {
    const r = await this.inner.watch(req, sink)
    if (r.reply.code !== 200) return r
    this.openWatches++
    let stopped = false
    return {
      reply: r.reply,
      stop: () => {
        if (stopped) return
        stopped = true
        this.openWatches--
        r.stop()
      },
    }
  }
}

export interface TestGateway {
  port: number
  core: MemoryCore
  counting: CountingCore
  /** Graceful stop: watches end, the port closes. */
  close(): Promise<void>
  /** As a crashed instance: every connection reset at once, the port closed. */
  kill(): Promise<void>
}

/** A memory core behind a real HTTP gateway on a free loopback port, in a LocalSystem. */
export async function startMemoryGateway(opts: { tokens?: Array<{ token: string; user: string; uid: string; groups: string[] }>; maxBodyBytes?: number; core?: MemoryCore } = {}): Promise<TestGateway> {
  const { LocalSystem } = await import('../../runtime/local.ts')
  const { nodeHttp } = await import('../../runtime/io/http-node.ts')
  const { startHttpGateway } = await import('../../actors/apiserver/http/gateway.ts')
  const core = opts.core ?? new MemoryCore()
  const counting = new CountingCore(core)
  const sockets = new Set<{ destroy(): void }>()
  const base = nodeHttp()
  const http: typeof base = {
    listen: (o, handler) =>
      base.listen(o, (req, res) => {
        if (!sockets.has(req.socket)) {
          sockets.add(req.socket)
          req.socket.once('close', () => sockets.delete(req.socket))
        }
        handler(req, res)
      }),
  }
  const sys = new LocalSystem({ io: { http } })
  const ctx = sys.client(`apiserver-http-${Math.random().toString(36).slice(2, 8)}`)
  const gw = await startHttpGateway(ctx, counting, { host: '127.0.0.1', port: 0, tokens: opts.tokens, maxBodyBytes: opts.maxBodyBytes })
  let closed = false
  return {
    port: gw.port,
    core,
    counting,
    async close() {
      if (closed) return
      closed = true
      await gw.close()
      await sys.shutdown()
    },
    async kill() {
      if (closed) return
      closed = true
      for (const s of sockets) s.destroy()
      await gw.close()
      await sys.shutdown()
    },
  }
}
