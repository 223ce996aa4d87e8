// The Deployment controller: a shell over decideDeployment that applies its actions (create,
// scale, annotate, delete ReplicaSets), records ScalingReplicaSet events and writes status.
import type { Deployment, KObject, Pod, ReplicaSet } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode, sameJson, withKind } from './base.ts'
import { BY_NAMESPACE, BY_OWNER, type ControllerDeps } from './deps.ts'
import { decideDeployment, REVISION, type DeploymentAction } from './deployment-core.ts'
import { templatesEqualIgnoringHash } from './hash.ts'
import { keyOf, splitKey } from './keys.ts'
import { selectorMatches } from './labels.ts'
import { controllerRef, isDeleting } from './owners.ts'

export class DeploymentController extends BaseController {
  constructor(d: ControllerDeps) {
    super('deployment', d)
    d.informers.deployments.addHandler({
      onAdd: (o) => this.enqueueObj(o),
      onUpdate: (_o, n) => this.enqueueObj(n),
      onDelete: (o) => this.enqueueObj(o),
    })
    const onRS = (rs: KObject) => {
      const ref = controllerRef(rs)
      if (ref?.kind === 'Deployment') this.enqueue(`${rs.metadata.namespace}/${ref.name}`)
      else if (!ref) for (const dep of this.matching(rs)) this.enqueueObj(dep)
    }
    d.informers.replicasets.addHandler({ onAdd: onRS, onUpdate: (o, n) => { onRS(o); onRS(n) }, onDelete: onRS })
    // Recreate waits for old pods to disappear; a rolling update counts running pods too.
    d.informers.pods.addHandler({
      onDelete: (p) => {
        const ref = controllerRef(p)
        if (ref?.kind !== 'ReplicaSet') return
        const rs = d.informers.replicasets.get(p.metadata.namespace, ref.name)
        const dref = rs && controllerRef(rs)
        if (dref?.kind === 'Deployment') {
          const dep = d.informers.deployments.get(p.metadata.namespace, dref.name)
          if (dep) this.enqueueObj(dep)
        }
      },
    })
  }

  private matching(rs: KObject): KObject[] {
    return this.d.informers.deployments.byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '')
      .filter((dep) => selectorMatches((dep as Deployment).spec.selector, rs.metadata.labels))
  }

  protected initialKeys(): string[] {
    return this.d.informers.deployments.list().map(keyOf)
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const cached = this.d.informers.deployments.get(namespace, name) as Deployment | undefined
    if (!cached) return
    const dep = withKind(cached, 'apps/v1', 'Deployment')
    const c = this.d.client
    const inNs = this.d.informers.replicasets.byIndex(BY_NAMESPACE, namespace ?? '') as ReplicaSet[]
    const rss: ReplicaSet[] = []
    for (const rs of inNs) {
      const ref = controllerRef(rs)
      if (ref) {
        if (ref.uid === dep.metadata.uid) rss.push(rs)
      } else if (!isDeleting(dep) && !isDeleting(rs) && selectorMatches(dep.spec.selector, rs.metadata.labels)) {
        const refs = [...(rs.metadata.ownerReferences ?? []), { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: dep.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }]
        await c.patch(R.replicasets, namespace, rs.metadata.name ?? '', 'merge', { metadata: { ownerReferences: refs } })
        rss.push(rs)
      }
    }
    const pods = rss.flatMap((rs) => this.d.informers.pods.byIndex(BY_OWNER, rs.metadata.uid ?? '').filter((p) => controllerRef(p)?.uid === rs.metadata.uid)) as Pod[]
    const dec = decideDeployment(dep, rss, pods, this.d.ctx.now())
    for (const a of dec.actions) {
      if (!this.active) return
      await this.apply(dep, a)
    }
    // The Deployment carries the revision of its newest ReplicaSet, as kube-controller-manager's does.
    const created = dec.actions.find((a): a is Extract<DeploymentAction, { type: 'create' }> => a.type === 'create')
    const newest = created?.rs ?? rss.find((rs) => templatesEqualIgnoringHash(rs.spec.template, dep.spec.template))
    const rev = newest?.metadata.annotations?.[REVISION]
    if (rev && dep.metadata.annotations?.[REVISION] !== rev && this.active) {
      await c.patch(R.deployments, namespace, name, 'merge', { metadata: { annotations: { [REVISION]: rev } } }).catch((e) => {
        if (errCode(e) !== 'API_NOT_FOUND') throw e
      })
    }
    const s = dep.status ?? {}
    if (!sameJson(s, dec.status)) {
      await c.patch(R.deployments, namespace, name, 'merge', { status: dec.status }, { subresource: 'status' }).catch((e) => {
        if (errCode(e) !== 'API_NOT_FOUND') throw e
      })
    }
    // Progress deadline and minReadySeconds are time based: look again later.
    if (!dep.spec.paused && dec.status.conditions?.find((x) => x.type === 'Progressing')?.reason === 'ReplicaSetUpdated') {
      this.enqueueAfter(key, Math.min(10_000, (dep.spec.progressDeadlineSeconds ?? 600) * 1000))
    }
  }

  private async apply(dep: Deployment, a: DeploymentAction): Promise<void> {
    const c = this.d.client
    const ns = dep.metadata.namespace
    switch (a.type) {
      case 'create': {
        try {
          await c.create(R.replicasets, ns, a.rs)
          this.recorder.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${a.rs.metadata.name} to ${a.rs.spec.replicas ?? 0} from 0`)
        } catch (e) {
          if (errCode(e) !== 'API_ALREADY_EXISTS' && errCode(e) !== 'API_CONFLICT') throw e
          const existing = await c.get<ReplicaSet>(R.replicasets, ns, a.rs.metadata.name ?? '')
          const mine = existing && controllerRef(existing)?.uid === dep.metadata.uid && templatesEqualIgnoringHash(existing.spec.template, dep.spec.template)
          if (!mine) {
            // A hash collision: bump collisionCount so the next sync hashes differently.
            await c.patch(R.deployments, ns, dep.metadata.name ?? '', 'merge', { status: { collisionCount: (dep.status?.collisionCount ?? 0) + 1 } }, { subresource: 'status' })
          }
        }
        return
      }
      case 'scale': {
        await c.patch(R.replicasets, ns, a.name, 'merge', { metadata: { annotations: a.annotations }, spec: { replicas: a.to } })
        const dir = a.to > a.from ? 'up' : 'down'
        this.recorder.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled ${dir} replica set ${a.name} to ${a.to} from ${a.from}`)
        return
      }
      case 'annotate':
        await c.patch(R.replicasets, ns, a.name, 'merge', { metadata: { annotations: a.annotations } })
        return
      case 'delete':
        await c.delete(R.replicasets, ns, a.name)
        return
    }
  }
}
