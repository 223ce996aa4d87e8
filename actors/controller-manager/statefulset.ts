// The StatefulSet controller: applies decideStatefulSet one step at a time, with the events
// the Kubernetes StatefulSet controller records.
import type { KObject, Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode, sameJson, withKind } from './base.ts'
import { BY_NAMESPACE, BY_OWNER, type ControllerDeps } from './deps.ts'
import { keyOf, splitKey } from './keys.ts'
import { controllerRef, ownerRefFor } from './owners.ts'
import { decideStatefulSet } from './statefulset-core.ts'
import type { StatefulSet } from './workload-types.ts'

export class StatefulSetController extends BaseController {
  constructor(d: ControllerDeps) {
    super('statefulset', d)
    d.informers.statefulsets.addHandler({ onAdd: (o) => this.enqueueObj(o), onUpdate: (_o, n) => this.enqueueObj(n), onDelete: (o) => this.enqueueObj(o) })
    const owner = (p: KObject) => {
      const r = controllerRef(p)
      if (r?.kind === 'StatefulSet') this.enqueue(`${p.metadata.namespace}/${r.name}`)
    }
    d.informers.pods.addHandler({ onAdd: owner, onUpdate: (_o, n) => owner(n), onDelete: owner })
  }

  protected initialKeys(): string[] {
    return this.d.informers.statefulsets.list().map(keyOf)
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const cached = this.d.informers.statefulsets.get(namespace, name) as StatefulSet | undefined
    if (!cached) return
    const set = withKind(cached, 'apps/v1', 'StatefulSet')
    const owned = this.d.informers.pods.byIndex(BY_OWNER, set.metadata.uid ?? '').filter((p) => controllerRef(p)?.uid === set.metadata.uid) as Pod[]
    const claims = new Set(this.d.informers.persistentvolumeclaims.byIndex(BY_NAMESPACE, namespace ?? '').map((c) => c.metadata.name ?? ''))
    const dec = decideStatefulSet(set, owned, claims, ownerRefFor(set, 'apps/v1', 'StatefulSet'))
    const c = this.d.client
    const ev = this.recorder
    for (const a of dec.actions) {
      if (!this.active) return
      if (a.type === 'createClaim') {
        await c.create(R.persistentvolumeclaims, namespace, a.claim).catch((e) => { if (errCode(e) !== 'API_ALREADY_EXISTS') throw e })
        ev.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${a.claim.metadata.name} Pod ${a.pod} in StatefulSet ${name} success`)
      } else if (a.type === 'createPod') {
        try {
          await c.create(R.pods, namespace, a.pod)
          ev.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${a.pod.metadata.name} in StatefulSet ${name} successful`)
        } catch (e) {
          if (errCode(e) !== 'API_ALREADY_EXISTS') {
            ev.event(set, 'Warning', 'FailedCreate', `create Pod ${a.pod.metadata.name} in StatefulSet ${name} failed`)
            throw e
          }
        }
      } else {
        const gone = await c.delete(R.pods, namespace, a.name)
        if (gone) ev.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${a.name} in StatefulSet ${name} successful`)
      }
    }
    if (!sameJson(dec.status, set.status)) {
      await c.patch(R.statefulsets, namespace, name, 'merge', { status: dec.status }, { subresource: 'status' }).catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
    }
  }
}
