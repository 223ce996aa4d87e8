// An in-memory API server actor for component tests in the Simulation: serves protocols/api.ts
// (get/list/create/update/patch/delete/deletecollection, selectors, resourceVersions with 409 on
// stale updates, watches from an RV with 410 when too old, pods/binding). Several instances
// ('apiserver-0', 'apiserver-1', ...) may share one FakeCluster, as real instances share etcd.
import type { ActorFactory, Behaviour, Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import type { ApiReply, ApiRequest, ApiWatch, ResourceRef, WatchEvent } from '../../protocols/api.ts'
import type { KObject, Pod, Status } from '../../protocols/k8s.ts'
import { parseFieldSelector, parseLabelSelector } from '../../actors/client/selectors.ts'

const KINDS: Record<string, string> = {
  namespaces: 'Namespace', nodes: 'Node', pods: 'Pod', services: 'Service', endpoints: 'Endpoints', events: 'Event',
  configmaps: 'ConfigMap', secrets: 'Secret', serviceaccounts: 'ServiceAccount', persistentvolumes: 'PersistentVolume',
  persistentvolumeclaims: 'PersistentVolumeClaim', replicationcontrollers: 'ReplicationController', deployments: 'Deployment',
  replicasets: 'ReplicaSet', daemonsets: 'DaemonSet', statefulsets: 'StatefulSet', controllerrevisions: 'ControllerRevision',
  jobs: 'Job', leases: 'Lease', ingresses: 'Ingress',
}
const CLUSTER_SCOPED = new Set(['namespaces', 'nodes', 'persistentvolumes'])

interface HistoryEntry {
  rv: number
  res: string
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  obj: KObject
}

interface Watcher {
  id: string
  owner: string
  to: string
  res: string
  namespace?: string
  match: (o: KObject) => boolean
  send: (events: WatchEvent[]) => void
}

export interface Binding {
  pod: string
  node: string
  by: string
  at: number
}

const clone = <T>(o: T): T => structuredClone(o)
const resKey = (r: ResourceRef) => `${r.group}/${r.resource}`
const objKey = (ns: string | undefined, name: string) => (ns ? `${ns}/${name}` : name)

export function status(code: number, reason: string, message: string): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: code < 300 ? 'Success' : 'Failure', code, reason, message }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {}
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

function jsonPatch(doc: unknown, ops: Array<{ op: string; path: string; value?: unknown }>): unknown {
  const root = { v: clone(doc) } as Record<string, unknown>
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    let parent: any = root.v
    for (const p of parts.slice(0, -1)) parent = parent?.[p]
    const last = parts[parts.length - 1] as string
    if (parent === undefined || parent === null) throw new Error(`path ${op.path} not found`)
    if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`)
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1)
      else delete parent[last]
    } else if (op.op === 'add' && Array.isArray(parent)) {
      parent.splice(last === '-' ? parent.length : Number(last), 0, op.value)
    } else parent[last] = op.value
  }
  return root.v
}

/** The shared state: what etcd would hold. */
export class FakeCluster {
  rv = 1
  readonly objects = new Map<string, Map<string, KObject>>()
  readonly history: HistoryEntry[] = []
  readonly watchers = new Map<string, Watcher>()
  readonly bindings: Binding[] = []
  /** While true, bindings are neither stored nor answered (an answer lost on the way). */
  dropBindings = false
  readonly requests = new Map<string, number>()
  /** Requests by type, resource and subresource ('api.patch nodes/status'). */
  readonly calls = new Map<string, number>()
  /** The resourceVersion of each list, in order ('' when absent). */
  readonly listRVs: string[] = []
  constructor(readonly historySize = 5000) {}

  table(res: string): Map<string, KObject> {
    let t = this.objects.get(res)
    if (!t) this.objects.set(res, (t = new Map()))
    return t
  }

  /** Test access: every object of a resource. */
  all<T extends KObject>(ref: ResourceRef): T[] {
    return [...this.table(resKey(ref)).values()] as T[]
  }

  /** Test access: write an object directly (as if another component had). */
  put(ref: ResourceRef, obj: KObject, at = 0): KObject {
    const t = this.table(resKey(ref))
    const key = objKey(obj.metadata.namespace, obj.metadata.name ?? '')
    const existed = t.has(key)
    const o = clone(obj)
    o.apiVersion ??= ref.group ? `${ref.group}/${ref.version}` : ref.version
    o.kind ??= KINDS[ref.resource]
    o.metadata.uid ??= `uid-${ref.resource}-${key}`
    o.metadata.creationTimestamp ??= new Date(at).toISOString()
    return this.commit(resKey(ref), existed ? 'MODIFIED' : 'ADDED', o)
  }

  remove(ref: ResourceRef, namespace: string | undefined, name: string): KObject | undefined {
    const t = this.table(resKey(ref))
    const key = objKey(namespace, name)
    const o = t.get(key)
    if (!o) return undefined
    t.delete(key)
    const gone = clone(o)
    gone.metadata.resourceVersion = String(++this.rv)
    this.record(resKey(ref), 'DELETED', gone)
    return gone
  }

  commit(res: string, type: 'ADDED' | 'MODIFIED', obj: KObject): KObject {
    obj.metadata.resourceVersion = String(++this.rv)
    this.table(res).set(objKey(obj.metadata.namespace, obj.metadata.name ?? ''), obj)
    this.record(res, type, obj)
    return obj
  }

  private record(res: string, type: HistoryEntry['type'], obj: KObject): void {
    this.history.push({ rv: this.rv, res, type, obj: clone(obj) })
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize)
    for (const w of this.watchers.values()) {
      if (w.res !== res) continue
      if (w.namespace && obj.metadata.namespace !== w.namespace) continue
      if (!w.match(obj)) continue
      w.send([{ type, object: clone(obj) }])
    }
  }

  /** The oldest RV a watch may resume from. */
  oldestRV(): number {
    return this.history.length === this.historySize ? (this.history[0] as HistoryEntry).rv - 1 : 0
  }
}

export interface FakeApiServerOptions {
  cluster?: FakeCluster
}

class FakeApiServer implements Behaviour {
  constructor(private readonly ctx: Ctx, readonly cluster: FakeCluster) {
    for (const [id, w] of cluster.watchers) if (w.owner === ctx.self) cluster.watchers.delete(id)
  }

  receive(msg: Message, meta: MsgMeta): void {
    const req = msg as ApiRequest
    const n = this.cluster.requests
    n.set(req.type, (n.get(req.type) ?? 0) + 1)
    if (req.type === 'api.list') this.cluster.listRVs.push(req.resourceVersion ?? '')
    if ('resource' in req) {
      const k = `${req.type} ${req.resource}${'subresource' in req && req.subresource ? `/${req.subresource}` : ''}`
      this.cluster.calls.set(k, (this.cluster.calls.get(k) ?? 0) + 1)
    }
    switch (req.type) {
      case 'api.ping':
        return this.ctx.reply(meta, this.ok(200, status(200, 'Ok', 'pong') as unknown as KObject))
      case 'api.watch.stop':
        this.cluster.watchers.delete(req.watchId)
        return
      case 'api.watch.ack':
        return
      case 'api.watch':
        return this.ctx.reply(meta, this.watch(req, meta.from))
      default: {
        if (this.cluster.dropBindings && req.type === 'api.create' && req.subresource === 'binding') return
        let reply: ApiReply
        try {
          reply = this.call(req, meta.from)
        } catch (e) {
          reply = this.err(400, 'BadRequest', e instanceof Error ? e.message : String(e))
        }
        this.ctx.reply(meta, reply)
      }
    }
  }

  private ok(code: number, body: KObject | Status): ApiReply {
    return { type: 'api.reply', code, body: clone(body) }
  }

  private err(code: number, reason: string, message: string): ApiReply {
    return { type: 'api.reply', code, body: status(code, reason, message) }
  }

  private matcher(labelSelector?: string, fieldSelector?: string): (o: KObject) => boolean {
    const l = parseLabelSelector(labelSelector)
    const f = parseFieldSelector(fieldSelector)
    return (o) => l(o.metadata.labels) && f(o)
  }

  private watch(req: ApiWatch, to: string): ApiReply {
    const c = this.cluster
    const res = resKey(req)
    let match: (o: KObject) => boolean
    try {
      match = this.matcher(req.labelSelector, req.fieldSelector)
    } catch (e) {
      return this.err(400, 'BadRequest', (e as Error).message)
    }
    const ns = CLUSTER_SCOPED.has(req.resource) ? undefined : req.namespace
    const from = req.resourceVersion === undefined || req.resourceVersion === '' || req.resourceVersion === '0' ? undefined : Number(req.resourceVersion)
    if (from !== undefined && from < c.oldestRV()) return this.err(410, 'Expired', `too old resource version: ${from} (${c.oldestRV()})`)
    const ctx = this.ctx
    const watchId = req.watchId
    const send = (events: WatchEvent[]) => ctx.send(to, { type: 'api.watch.events', watchId, events } as Message)
    const initial: WatchEvent[] = []
    if (from === undefined) {
      for (const o of c.table(res).values()) if ((!ns || o.metadata.namespace === ns) && match(o)) initial.push({ type: 'ADDED', object: clone(o) })
    } else {
      for (const h of c.history) if (h.rv > from && h.res === res && (!ns || h.obj.metadata.namespace === ns) && match(h.obj)) initial.push({ type: h.type, object: clone(h.obj) })
    }
    c.watchers.set(watchId, { id: watchId, owner: ctx.self, to, res, namespace: ns, match, send })
    // The reply goes first on this link, then the backlog.
    if (initial.length > 0) queueMicrotask(() => send(initial))
    return this.ok(200, {} as KObject)
  }

  private call(req: Exclude<ApiRequest, ApiWatch | { type: 'api.watch.stop' } | { type: 'api.watch.ack' } | { type: 'api.ping' }>, from: string): ApiReply {
    const c = this.cluster
    const res = resKey(req)
    const kind = KINDS[req.resource] ?? 'Object'
    const ns = CLUSTER_SCOPED.has(req.resource) ? undefined : req.namespace
    const table = c.table(res)
    switch (req.type) {
      case 'api.get': {
        const o = table.get(objKey(ns, req.name))
        return o ? this.ok(200, o) : this.err(404, 'NotFound', `${req.resource} "${req.name}" not found`)
      }
      case 'api.list': {
        const m = this.matcher(req.labelSelector, req.fieldSelector)
        const items = [...table.values()].filter((o) => (!ns || o.metadata.namespace === ns) && m(o))
        return this.ok(200, { apiVersion: req.group ? `${req.group}/${req.version}` : req.version, kind: `${kind}List`, metadata: { resourceVersion: String(c.rv) }, items } as unknown as KObject)
      }
      case 'api.create': {
        if (req.subresource === 'binding' && req.resource === 'pods') return this.bind(ns, req.name ?? req.body.metadata.name ?? '', req.body, from)
        if (req.subresource) return this.err(404, 'NotFound', `subresource ${req.subresource} not served`)
        const o = clone(req.body)
        o.metadata ??= {}
        if (!o.metadata.name) {
          if (!o.metadata.generateName) return this.err(422, 'Invalid', 'metadata.name: Required value')
          o.metadata.name = o.metadata.generateName + Math.floor(this.ctx.random() * 36 ** 5).toString(36).padStart(5, '0')
        }
        if (ns) o.metadata.namespace = ns
        const key = objKey(ns, o.metadata.name)
        if (table.has(key)) return { type: 'api.reply', code: 409, body: { ...status(409, 'AlreadyExists', `${req.resource} "${o.metadata.name}" already exists`), details: { name: o.metadata.name, kind } } }
        o.apiVersion ??= req.group ? `${req.group}/${req.version}` : req.version
        o.kind ??= kind
        o.metadata.uid = this.ctx.newId()
        o.metadata.creationTimestamp = new Date(this.ctx.now()).toISOString()
        o.metadata.generation = 1
        return this.ok(201, c.commit(res, 'ADDED', o))
      }
      case 'api.update': {
        const key = objKey(ns, req.name || (req.body.metadata.name ?? ''))
        const old = table.get(key)
        if (!old) return this.err(404, 'NotFound', `${req.resource} "${req.name}" not found`)
        const rv = req.body.metadata?.resourceVersion
        if (rv && rv !== old.metadata.resourceVersion) return this.err(409, 'Conflict', `Operation cannot be fulfilled on ${req.resource} "${req.name}": the object has been modified; please apply your changes to the latest version and try again`)
        return this.ok(200, this.replace(res, old, clone(req.body), req.subresource))
      }
      case 'api.patch': {
        const old = table.get(objKey(ns, req.name))
        if (!old) return this.err(404, 'NotFound', `${req.resource} "${req.name}" not found`)
        let next: KObject
        try {
          next = (req.patchType === 'json' ? jsonPatch(old, req.patch as Array<{ op: string; path: string }>) : mergePatch(clone(old), req.patch)) as KObject
        } catch (e) {
          return this.err(422, 'Invalid', (e as Error).message)
        }
        const rv = next.metadata?.resourceVersion
        if (rv && rv !== old.metadata.resourceVersion) return this.err(409, 'Conflict', `the object has been modified`)
        return this.ok(200, this.replace(res, old, next, req.subresource, true))
      }
      case 'api.delete': {
        const o = table.get(objKey(ns, req.name))
        if (!o) return this.err(404, 'NotFound', `${req.resource} "${req.name}" not found`)
        const pre = req.options?.preconditions
        if (pre?.uid && pre.uid !== o.metadata.uid) return this.err(409, 'Conflict', 'precondition failed: uid')
        const gone = c.remove(req, ns, req.name) as KObject
        return this.ok(200, gone)
      }
      case 'api.deletecollection': {
        const m = this.matcher(req.labelSelector, req.fieldSelector)
        for (const o of [...table.values()]) if ((!ns || o.metadata.namespace === ns) && m(o)) c.remove(req, ns ?? o.metadata.namespace, o.metadata.name ?? '')
        return this.ok(200, status(200, 'Success', 'deleted') as unknown as KObject)
      }
    }
  }

  private replace(res: string, old: KObject, next: KObject, subresource?: string, patched = false): KObject {
    let o: KObject
    if (subresource === 'status') o = { ...clone(old), status: next.status }
    else {
      o = next
      if (!patched && old.status !== undefined) o.status = clone(old.status)
      o.metadata = { ...next.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp, namespace: old.metadata.namespace, name: old.metadata.name }
      const gen = old.metadata.generation ?? 1
      o.metadata.generation = JSON.stringify(old.spec) !== JSON.stringify(next.spec) ? gen + 1 : gen
    }
    o.apiVersion ??= old.apiVersion
    o.kind ??= old.kind
    return this.cluster.commit(res, 'MODIFIED', o)
  }

  private bind(ns: string | undefined, name: string, body: KObject, from: string): ApiReply {
    const table = this.cluster.table('/pods')
    const pod = table.get(objKey(ns, name)) as Pod | undefined
    if (!pod) return this.err(404, 'NotFound', `pods "${name}" not found`)
    const node = (body as { target?: { name?: string } }).target?.name
    if (!node) return this.err(422, 'Invalid', 'target.name: Required value')
    if (pod.spec.nodeName) return this.err(409, 'Conflict', `pod ${name} is already assigned to node "${pod.spec.nodeName}"`)
    const o = clone(pod)
    o.spec.nodeName = node
    const conds = (o.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
    conds.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(this.ctx.now()).toISOString() })
    o.status = { ...(o.status ?? {}), conditions: conds }
    this.cluster.bindings.push({ pod: objKey(ns, name), node, by: from, at: this.ctx.now() })
    this.cluster.commit('/pods', 'MODIFIED', o)
    return this.ok(201, status(201, 'Created', 'bound') as unknown as KObject)
  }
}

/** An actor factory for 'apiserver-<i>'; pass one FakeCluster to several instances to share state. */
export function fakeApiServer(opts: FakeApiServerOptions = {}): ActorFactory & { cluster: FakeCluster } {
  const cluster = opts.cluster ?? new FakeCluster()
  const f = ((ctx: Ctx) => new FakeApiServer(ctx, cluster)) as unknown as ActorFactory & { cluster: FakeCluster }
  f.cluster = cluster
  return f
}

/** Await a promise made by actor code while the simulation runs (virtual time advances). */
export async function drive<T>(sim: { run(ms: number): Promise<void> }, p: Promise<T>, maxMs = 60_000): Promise<T> {
  let done = false
  const q = p.finally(() => {
    done = true
  })
  q.catch(() => {})
  for (let waited = 0; !done && waited < maxMs; waited += 10) await sim.run(10)
  return q
}
