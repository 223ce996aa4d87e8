// The Endpoints controller: keeps one Endpoints object per selector Service in step with the
// pods it selects.
import type { Endpoints, KObject, Pod, Service } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode } from './base.ts'
import { BY_NAMESPACE, type ControllerDeps } from './deps.ts'
import { desiredSubsets, endpointsObject, subsetsEqual } from './endpoints-core.ts'
import { keyOf, splitKey } from './keys.ts'
import { mapSelectorMatches } from './labels.ts'

export class EndpointsController extends BaseController {
  constructor(d: ControllerDeps) {
    super('endpoints', d)
    d.informers.services.addHandler({
      onAdd: (o) => this.enqueueObj(o),
      onUpdate: (_o, n) => this.enqueueObj(n),
      onDelete: (o) => this.enqueueObj(o),
    })
    const onPod = (p: KObject) => {
      for (const s of d.informers.services.byIndex(BY_NAMESPACE, p.metadata.namespace ?? '')) {
        if (mapSelectorMatches((s as Service).spec.selector, p.metadata.labels)) this.enqueueObj(s)
      }
    }
    d.informers.pods.addHandler({ onAdd: onPod, onUpdate: (o, n) => { onPod(o); onPod(n) }, onDelete: onPod })
    d.informers.endpoints.addHandler({ onDelete: (e) => this.enqueueObj(e) })
  }

  protected initialKeys(): string[] {
    return this.d.informers.services.list().map(keyOf)
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const svc = this.d.informers.services.get(namespace, name) as Service | undefined
    const current = this.d.informers.endpoints.get(namespace, name) as Endpoints | undefined
    const c = this.d.client
    if (!svc) {
      if (current) await c.delete(R.endpoints, namespace, name)
      return
    }
    const subsets = desiredSubsets(svc, this.d.informers.pods.byIndex(BY_NAMESPACE, namespace ?? '') as Pod[])
    if (subsets === undefined) return
    if (!current) {
      try {
        await c.create(R.endpoints, namespace, endpointsObject(svc, subsets))
      } catch (e) {
        if (errCode(e) !== 'API_ALREADY_EXISTS') throw e
        // Not in the cache yet: write over it on the next pass.
        this.enqueueAfter(key, 100)
      }
      return
    }
    if (subsetsEqual(current.subsets, subsets)) return
    await c.update(R.endpoints, namespace, { ...endpointsObject(svc, subsets), metadata: { ...current.metadata, labels: { ...(svc.metadata.labels ?? {}) } } })
  }
}
