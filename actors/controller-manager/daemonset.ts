// The DaemonSet controller: follows nodes as they come and go, one daemon pod on each eligible
// node (placed with spec.nodeName, as the DaemonSet controller did before scheduler placement).
import type { KObject, Node, Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode, errMessage, sameJson, withKind } from './base.ts'
import { BY_OWNER, type ControllerDeps } from './deps.ts'
import { DAEMON_TOLERATIONS, decideDaemonSet, REVISION_LABEL } from './daemonset-core.ts'
import { Expectations } from './expectations.ts'
import { keyOf, splitKey } from './keys.ts'
import { controllerRef, ownerRefFor } from './owners.ts'
import { podFromTemplate } from './pods.ts'
import type { DaemonSet } from './workload-types.ts'

export class DaemonSetController extends BaseController {
  private readonly expectations = new Expectations()

  constructor(d: ControllerDeps) {
    super('daemonset', d)
    d.informers.daemonsets.addHandler({ onAdd: (o) => this.enqueueObj(o), onUpdate: (_o, n) => this.enqueueObj(n), onDelete: (o) => this.enqueueObj(o) })
    const all = () => { for (const ds of d.informers.daemonsets.list()) this.enqueueObj(ds) }
    d.informers.nodes.addHandler({
      onAdd: all,
      onDelete: all,
      onUpdate: (o, n) => {
        if (JSON.stringify([o.metadata.labels, (o as Node).spec.taints]) !== JSON.stringify([n.metadata.labels, (n as Node).spec.taints])) all()
      },
    })
    const owner = (p: KObject) => {
      const r = controllerRef(p)
      return r?.kind === 'DaemonSet' ? `${p.metadata.namespace}/${r.name}` : undefined
    }
    d.informers.pods.addHandler({
      onAdd: (p) => { const k = owner(p); if (k) { this.expectations.creationObserved(k); this.enqueue(k) } },
      onUpdate: (_o, p) => { const k = owner(p); if (k) this.enqueue(k) },
      onDelete: (p) => { const k = owner(p); if (k) { this.expectations.deletionObserved(k); this.enqueue(k) } },
    })
  }

  start(): void {
    this.expectations.clear()
    super.start()
  }

  protected initialKeys(): string[] {
    return this.d.informers.daemonsets.list().map(keyOf)
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const cached = this.d.informers.daemonsets.get(namespace, name) as DaemonSet | undefined
    if (!cached) {
      this.expectations.delete(key)
      return
    }
    const ds = withKind(cached, 'apps/v1', 'DaemonSet')
    const now = this.d.ctx.now()
    const owned = this.d.informers.pods.byIndex(BY_OWNER, ds.metadata.uid ?? '').filter((p) => controllerRef(p)?.uid === ds.metadata.uid) as Pod[]
    const dec = decideDaemonSet(ds, this.d.informers.nodes.list() as Node[], owned, now)
    const c = this.d.client
    if (this.expectations.satisfied(key, now) && this.active) {
      this.expectations.expect(key, dec.create.length, dec.delete.length, now)
      const ref = ownerRefFor(ds, 'apps/v1', 'DaemonSet')
      await Promise.all(dec.create.map(async (node) => {
        const pod = podFromTemplate(ds.spec.template, namespace ?? 'default', `${name}-`, ref, { [REVISION_LABEL]: dec.hash })
        pod.spec.nodeName = node
        pod.spec.tolerations = [...(pod.spec.tolerations ?? []), ...DAEMON_TOLERATIONS]
        try {
          const p = await c.create<Pod>(R.pods, namespace, pod)
          this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`)
        } catch (e) {
          this.expectations.lower(key, 1, 0)
          this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errMessage(e)}`)
        }
      }))
      for (const p of dec.delete) {
        const gone = await c.delete(R.pods, namespace, p.metadata.name ?? '')
        if (gone) this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`)
        else this.expectations.lower(key, 0, 1)
      }
    }
    if (!sameJson(dec.status, ds.status)) {
      await c.patch(R.daemonsets, namespace, name, 'merge', { status: dec.status }, { subresource: 'status' }).catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
    }
  }
}
