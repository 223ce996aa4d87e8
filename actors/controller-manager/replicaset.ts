// The ReplicaSet controller and the replication manager (ReplicationController): one shell over
// decideReplicas, with expectations and slow-start batches on create.
import type { KObject, LabelSelector, Pod, PodTemplateSpec, ReplicaSet } from '../../protocols/k8s.ts'
import type { ResourceRef } from '../../protocols/api.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode, errMessage, withKind } from './base.ts'
import { BY_NAMESPACE, BY_OWNER, ORPHANS_BY_NAMESPACE, type Cache, type ControllerDeps } from './deps.ts'
import { Expectations } from './expectations.ts'
import { keyOf, splitKey } from './keys.ts'
import { selectorMatches } from './labels.ts'
import { controllerRef, isDeleting } from './owners.ts'
import { podFromTemplate, slowStartBatches } from './pods.ts'
import { decideReplicas, ownerRef, type ReplicatedSet, type ReplicaStatus } from './replicaset-core.ts'

interface SetKind {
  name: string
  apiVersion: string
  kind: string
  ref: ResourceRef
  cache(d: ControllerDeps): Cache<KObject>
  view(obj: KObject): ReplicatedSet
}

export const REPLICASET: SetKind = {
  name: 'replicaset',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  ref: R.replicasets,
  cache: (d) => d.informers.replicasets,
  view: (obj) => {
    const rs = obj as ReplicaSet
    return { obj, apiVersion: 'apps/v1', kind: 'ReplicaSet', replicas: rs.spec.replicas ?? 1, selector: rs.spec.selector, template: rs.spec.template, minReadySeconds: rs.spec.minReadySeconds ?? 0 }
  },
}

interface RcSpec { replicas?: number; selector?: Record<string, string>; template?: PodTemplateSpec; minReadySeconds?: number }

export const REPLICATIONCONTROLLER: SetKind = {
  name: 'replicationcontroller',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  ref: R.replicationcontrollers,
  cache: (d) => d.informers.replicationcontrollers,
  view: (obj) => {
    const spec = (obj.spec ?? {}) as RcSpec
    const template = spec.template ?? { spec: { containers: [] } }
    const sel: LabelSelector = { matchLabels: spec.selector ?? template.metadata?.labels ?? {} }
    return { obj, apiVersion: 'v1', kind: 'ReplicationController', replicas: spec.replicas ?? 1, selector: sel, template, minReadySeconds: spec.minReadySeconds ?? 0 }
  },
}

export class ReplicaSetController extends BaseController {
  readonly expectations = new Expectations()
  private readonly cache: Cache<KObject>

  constructor(d: ControllerDeps, private readonly k: SetKind = REPLICASET) {
    super(k.name, d)
    this.cache = k.cache(d)
    this.cache.addHandler({
      onAdd: (o) => this.enqueueObj(o),
      onUpdate: (_o, n) => this.enqueueObj(n),
      onDelete: (o) => {
        this.expectations.delete(keyOf(o))
        this.enqueueObj(o)
      },
    })
    d.informers.pods.addHandler({
      onAdd: (p) => {
        const owner = this.ownerKey(p)
        if (owner) {
          this.expectations.creationObserved(owner)
          this.enqueue(owner)
        } else if (!controllerRef(p)) this.enqueueMatching(p)
      },
      onUpdate: (o, p) => {
        const oldOwner = this.ownerKey(o)
        const owner = this.ownerKey(p)
        if (owner && isDeleting(p) && !isDeleting(o)) this.expectations.deletionObserved(owner)
        if (oldOwner && oldOwner !== owner) this.enqueue(oldOwner)
        if (owner) this.enqueue(owner)
        else if (!controllerRef(p)) this.enqueueMatching(p)
      },
      onDelete: (p) => {
        const owner = this.ownerKey(p)
        if (owner) {
          if (!isDeleting(p)) this.expectations.deletionObserved(owner)
          this.enqueue(owner)
        }
      },
    })
  }

  start(): void {
    this.expectations.clear()
    super.start()
  }

  protected initialKeys(): string[] {
    return this.cache.list().map(keyOf)
  }

  private ownerKey(p: KObject): string | undefined {
    const ref = controllerRef(p)
    if (!ref || ref.kind !== this.k.kind) return undefined
    const set = this.cache.get(p.metadata.namespace, ref.name)
    if (!set || set.metadata.uid !== ref.uid) return undefined
    return keyOf(set)
  }

  private enqueueMatching(p: KObject): void {
    for (const s of this.cache.byIndex(BY_NAMESPACE, p.metadata.namespace ?? '')) {
      if (selectorMatches(this.k.view(s).selector, p.metadata.labels)) this.enqueueObj(s)
    }
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const obj = this.cache.get(namespace, name)
    if (!obj) {
      this.expectations.delete(key)
      return
    }
    const set = this.k.view(withKind(obj, this.k.apiVersion, this.k.kind))
    const now = this.d.ctx.now()
    // Candidates: pods naming this set as an owner, and orphans that it may adopt.
    const candidates = new Map<string, Pod>()
    for (const p of this.d.informers.pods.byIndex(BY_OWNER, obj.metadata.uid ?? '')) candidates.set(keyOf(p), p as Pod)
    for (const p of this.d.informers.pods.byIndex(ORPHANS_BY_NAMESPACE, namespace ?? '')) candidates.set(keyOf(p), p as Pod)
    const pods = [...candidates.values()]
    const dec = decideReplicas(set, pods, this.expectations.satisfied(key, now), now)
    const errors: unknown[] = []
    const c = this.d.client

    for (const p of dec.adopt) {
      const refs = [...(p.metadata.ownerReferences ?? []), ownerRef(set)]
      await c.patch(R.pods, namespace, p.metadata.name ?? '', 'merge', { metadata: { ownerReferences: refs } }).catch((e) => errCode(e) === 'API_NOT_FOUND' || errors.push(e))
    }
    for (const p of dec.release) {
      const refs = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.obj.metadata.uid)
      await c.patch(R.pods, namespace, p.metadata.name ?? '', 'merge', { metadata: { ownerReferences: refs } }).catch((e) => errCode(e) === 'API_NOT_FOUND' || errors.push(e))
    }

    if (dec.create > 0 && this.active) await this.createPods(key, set, dec.create, errors)
    if (dec.delete.length > 0 && this.active) await this.deletePods(key, set, dec.delete, errors)

    const status = dec.status
    if (!sameStatus(obj.status as ReplicaStatus | undefined, status)) {
      await c.patch(this.k.ref, namespace, name, 'merge', { status }, { subresource: 'status' }).catch((e) => errCode(e) === 'API_NOT_FOUND' || errors.push(e))
    }
    if (set.minReadySeconds > 0 && status.readyReplicas > status.availableReplicas) this.enqueueAfter(key, set.minReadySeconds * 1000)
    if (errors.length > 0) throw errors[0]
  }

  private async createPods(key: string, set: ReplicatedSet, n: number, errors: unknown[]): Promise<void> {
    this.expectations.expect(key, n, 0, this.d.ctx.now())
    const batches = slowStartBatches(n)
    let done = 0
    for (const size of batches) {
      const results = await Promise.all(Array.from({ length: size }, () => this.createOne(set)))
      done += size
      const failed = results.filter((r) => r !== undefined)
      if (failed.length > 0) {
        this.expectations.lower(key, failed.length + (n - done), 0)
        errors.push(failed[0])
        return
      }
    }
  }

  private async createOne(set: ReplicatedSet): Promise<unknown> {
    const ns = set.obj.metadata.namespace
    const pod = podFromTemplate(set.template, ns ?? 'default', `${set.obj.metadata.name}-`, ownerRef(set))
    try {
      const created = await this.d.client.create<Pod>(R.pods, ns, pod)
      this.recorder.event(set.obj, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`)
      return undefined
    } catch (e) {
      this.recorder.event(set.obj, 'Warning', 'FailedCreate', `Error creating: ${errMessage(e)}`)
      return e
    }
  }

  private async deletePods(key: string, set: ReplicatedSet, pods: Pod[], errors: unknown[]): Promise<void> {
    const ns = set.obj.metadata.namespace
    this.expectations.expect(key, 0, pods.length, this.d.ctx.now())
    await Promise.all(pods.map(async (p) => {
      try {
        const found = await this.d.client.delete(R.pods, ns, p.metadata.name ?? '')
        if (!found) this.expectations.lower(key, 0, 1)
        else this.recorder.event(set.obj, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`)
      } catch (e) {
        this.expectations.lower(key, 0, 1)
        this.recorder.event(set.obj, 'Warning', 'FailedDelete', `Error deleting: ${errMessage(e)}`)
        errors.push(e)
      }
    }))
  }
}

function sameStatus(a: ReplicaStatus | undefined, b: ReplicaStatus): boolean {
  if (!a) return false
  return a.replicas === b.replicas && (a.fullyLabeledReplicas ?? 0) === b.fullyLabeledReplicas && (a.readyReplicas ?? 0) === b.readyReplicas &&
    (a.availableReplicas ?? 0) === b.availableReplicas && (a.observedGeneration ?? 0) === b.observedGeneration
}
