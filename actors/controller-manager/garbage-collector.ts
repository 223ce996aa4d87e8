// The garbage collector: deletes dependents whose owners are all gone, drops dangling owner
// references, and carries out foreground and orphan cascading deletion for owners that carry
// the corresponding finalizer. An owner missing from the cache is confirmed with a live GET
// before anything is deleted.
import type { ResourceRef } from '../../protocols/api.ts'
import type { KObject, OwnerReference } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode } from './base.ts'
import { BY_OWNER, BY_UID, type Cache, type ControllerDeps, type Informers } from './deps.ts'
import { decideDependent, decideOwner, FOREGROUND, ORPHAN, type OwnerLookup } from './gc-core.ts'
import { keyOf } from './keys.ts'
import { isDeleting } from './owners.ts'

interface Kind {
  kind: string
  ref: ResourceRef
  informer: keyof Informers
  namespaced: boolean
}

/** The kinds the collector watches, as owners and as dependents. */
export const GC_KINDS: Kind[] = [
  { kind: 'Pod', ref: R.pods, informer: 'pods', namespaced: true },
  { kind: 'ReplicaSet', ref: R.replicasets, informer: 'replicasets', namespaced: true },
  { kind: 'Deployment', ref: R.deployments, informer: 'deployments', namespaced: true },
  { kind: 'DaemonSet', ref: R.daemonsets, informer: 'daemonsets', namespaced: true },
  { kind: 'StatefulSet', ref: R.statefulsets, informer: 'statefulsets', namespaced: true },
  { kind: 'Job', ref: R.jobs, informer: 'jobs', namespaced: true },
  { kind: 'ReplicationController', ref: R.replicationcontrollers, informer: 'replicationcontrollers', namespaced: true },
  { kind: 'ControllerRevision', ref: R.controllerrevisions, informer: 'controllerrevisions', namespaced: true },
  { kind: 'PersistentVolumeClaim', ref: R.persistentvolumeclaims, informer: 'persistentvolumeclaims', namespaced: true },
  { kind: 'Service', ref: R.services, informer: 'services', namespaced: true },
  { kind: 'Endpoints', ref: R.endpoints, informer: 'endpoints', namespaced: true },
  { kind: 'Node', ref: R.nodes, informer: 'nodes', namespaced: false },
]
const BY_KIND = new Map(GC_KINDS.map((k) => [k.kind, k]))

export class GarbageCollector extends BaseController {
  constructor(d: ControllerDeps) {
    super('garbage-collector', d, 4)
    for (const k of GC_KINDS) {
      const inf = d.informers[k.informer]
      const onObj = (o: KObject) => {
        if ((o.metadata.ownerReferences ?? []).length > 0) this.enqueue(`${k.kind}|${keyOf(o)}`)
        if (isDeleting(o) && hasGcFinalizer(o)) this.enqueue(`${k.kind}|${keyOf(o)}`)
      }
      inf.addHandler({
        onAdd: onObj,
        onUpdate: (_o, n) => onObj(n),
        onDelete: (o) => {
          this.enqueueDependents(o)
          for (const r of o.metadata.ownerReferences ?? []) this.enqueueOwner(r, o.metadata.namespace)
        },
      })
    }
  }

  private enqueueDependents(owner: KObject): void {
    for (const k of GC_KINDS) {
      for (const dep of this.d.informers[k.informer].byIndex(BY_OWNER, owner.metadata.uid ?? '')) this.enqueue(`${k.kind}|${keyOf(dep)}`)
    }
  }

  private enqueueOwner(r: OwnerReference, ns: string | undefined): void {
    const k = BY_KIND.get(r.kind)
    if (!k) return
    const o = this.d.informers[k.informer].byIndex(BY_UID, r.uid)[0]
    if (o && isDeleting(o)) this.enqueue(`${k.kind}|${keyOf(o)}`)
    else if (!o && k.namespaced && ns) this.enqueue(`${k.kind}|${ns}/${r.name}`)
  }

  protected initialKeys(): string[] {
    const keys: string[] = []
    for (const k of GC_KINDS) {
      for (const o of this.d.informers[k.informer].list()) {
        if ((o.metadata.ownerReferences ?? []).length > 0 || (isDeleting(o) && hasGcFinalizer(o))) keys.push(`${k.kind}|${keyOf(o)}`)
      }
    }
    return keys
  }

  private cacheFor(kind: string): Cache<KObject> | undefined {
    const k = BY_KIND.get(kind)
    return k ? this.d.informers[k.informer] : undefined
  }

  protected async reconcile(key: string): Promise<void> {
    const bar = key.indexOf('|')
    const kind = BY_KIND.get(key.slice(0, bar))
    if (!kind) return
    const rest = key.slice(bar + 1)
    const slash = rest.indexOf('/')
    const ns = slash < 0 ? undefined : rest.slice(0, slash)
    const name = slash < 0 ? rest : rest.slice(slash + 1)
    const obj = this.d.informers[kind.informer].get(ns, name)
    if (!obj) return
    const c = this.d.client

    if (isDeleting(obj) && hasGcFinalizer(obj)) await this.processOwner(kind, obj)

    const lookup: OwnerLookup = (r) => {
      const cache = this.cacheFor(r.kind)
      if (!cache) return 'unknown'
      return cache.byIndex(BY_UID, r.uid)[0] ?? 'absent'
    }
    let dec = decideDependent(obj, lookup)
    if (dec.type === 'none') return
    if ((dec.type === 'delete' && dec.propagation === 'Background') || dec.type === 'setOwners') {
      // Confirm absent owners against the API server before acting on a possibly stale cache.
      const confirmed = new Map<string, KObject | 'absent'>()
      for (const r of obj.metadata.ownerReferences ?? []) {
        if (lookup(r, ns) !== 'absent') continue
        const k = BY_KIND.get(r.kind)
        if (!k) continue
        const live = await c.get(k.ref, k.namespaced ? ns : undefined, r.name)
        confirmed.set(r.uid, live && live.metadata.uid === r.uid ? live : 'absent')
      }
      dec = decideDependent(obj, (r, n) => confirmed.get(r.uid) ?? lookup(r, n))
    }
    if (!this.active) return
    if (dec.type === 'delete') {
      const gone = await c.delete(kind.ref, ns, name, { propagationPolicy: dec.propagation, preconditions: { uid: obj.metadata.uid } })
        .catch((e) => { if (errCode(e) === 'API_CONFLICT') return false; throw e })
      if (gone) this.d.ctx.log.info({ kind: kind.kind, namespace: ns, name, propagation: dec.propagation }, 'gc deleted dependent')
    } else if (dec.type === 'setOwners') {
      await c.patch(kind.ref, ns, name, 'merge', { metadata: { ownerReferences: dec.ownerReferences.length ? dec.ownerReferences : null } })
        .catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
    }
  }

  private async processOwner(kind: Kind, owner: KObject): Promise<void> {
    const deps: Array<{ k: Kind; obj: KObject }> = []
    for (const k of GC_KINDS) for (const obj of this.d.informers[k.informer].byIndex(BY_OWNER, owner.metadata.uid ?? '')) deps.push({ k, obj })
    const fins = owner.metadata.finalizers ?? []
    const client = this.d.client
    if (fins.includes(ORPHAN)) {
      // Orphan: strip this owner's reference from every dependent first.
      for (const { k, obj } of deps) {
        if (!this.active) return
        const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid)
        await client.patch(k.ref, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', { metadata: { ownerReferences: refs.length ? refs : null } })
          .catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
      }
    }
    const remaining = fins.includes(ORPHAN) ? [] : deps.map((x) => x.obj)
    const dec = decideOwner(owner, remaining)
    if (dec.type === 'removeFinalizer' && this.active) {
      await client.patch(kind.ref, owner.metadata.namespace, owner.metadata.name ?? '', 'merge', { metadata: { finalizers: dec.finalizers.length ? dec.finalizers : null } })
        .catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
      this.d.ctx.log.info({ kind: kind.kind, namespace: owner.metadata.namespace, name: owner.metadata.name, finalizer: dec.finalizer }, 'gc removed finalizer')
    } else if (fins.includes(FOREGROUND)) {
      for (const { k, obj } of deps) this.enqueue(`${k.kind}|${keyOf(obj)}`)
    }
  }
}

function hasGcFinalizer(o: KObject): boolean {
  const f = o.metadata.finalizers ?? []
  return f.includes(FOREGROUND) || f.includes(ORPHAN)
}
