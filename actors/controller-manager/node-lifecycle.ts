// The node lifecycle controller: marks nodes whose kubelet went quiet Ready=Unknown, keeps the
// not-ready/unreachable NoExecute taints in step with Ready, marks their pods not ready, and
// evicts (deletes) pods once their toleration of those taints runs out.
import type { KObject, Lease, Node, Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode, withKind } from './base.ts'
import { BY_NODE, type ControllerDeps } from './deps.ts'
import { decideNode, evictionTime, NodeHealthTracker, readyCondition } from './node-lifecycle-core.ts'
import { isDeleting } from './owners.ts'
import { isPodReady } from './pods.ts'

export const NODE_LEASE_NAMESPACE = 'kube-node-lease'

export class NodeLifecycleController extends BaseController {
  private readonly health = new NodeHealthTracker()
  private readonly lastReady = new Map<string, string>()

  constructor(d: ControllerDeps) {
    super('node-lifecycle', d, 4)
    d.informers.nodes.addHandler({
      onAdd: (n) => this.enqueueObj(n),
      onUpdate: (_o, n) => this.enqueueObj(n),
      onDelete: (n) => this.enqueueObj(n),
    })
    const onLease = (l: KObject) => {
      if (l.metadata.namespace === NODE_LEASE_NAMESPACE) this.enqueue(l.metadata.name ?? '')
    }
    d.informers.leases.addHandler({ onAdd: onLease, onUpdate: (_o, n) => onLease(n) })
    d.informers.pods.addHandler({ onAdd: (p) => { if ((p as Pod).spec.nodeName) this.enqueue((p as Pod).spec.nodeName ?? '') } })
  }

  protected initialKeys(): string[] {
    return this.d.informers.nodes.list().map((n) => n.metadata.name ?? '')
  }

  stop(): void {
    super.stop()
    // A later leadership starts from a full grace period, as a freshly started controller does.
    for (const n of this.d.informers.nodes.list()) this.health.forget(n.metadata.name ?? '')
  }

  protected async reconcile(name: string): Promise<void> {
    const cached = this.d.informers.nodes.get(undefined, name) as Node | undefined
    if (!cached) {
      this.health.forget(name)
      this.lastReady.delete(name)
      return
    }
    const node = withKind(cached, 'v1', 'Node')
    const now = this.d.ctx.now()
    const lease = this.d.informers.leases.get(NODE_LEASE_NAMESPACE, name) as Lease | undefined
    const probe = this.health.observe(node, lease, now)
    const dec = decideNode(node, probe, now, this.d.args.nodeMonitorGracePeriodMs)
    const c = this.d.client
    const log = this.d.ctx.log
    const before = this.lastReady.get(name)
    if (dec.conditions) {
      await c.patch(R.nodes, undefined, name, 'merge', { status: { conditions: dec.conditions } }, { subresource: 'status' })
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`)
    }
    if (dec.ready !== 'True' && before !== dec.ready && (dec.conditions || readyCondition(node))) {
      log.warn({ event: 'node.not-ready', node: name, status: dec.ready }, 'node.not-ready')
    } else if (dec.ready === 'True' && before !== undefined && before !== 'True') {
      log.info({ event: 'node.ready', node: name }, 'node.ready')
      this.recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`)
    }
    this.lastReady.set(name, dec.ready)
    const taints = dec.taints ?? node.spec.taints ?? []
    if (dec.taints) await c.patch(R.nodes, undefined, name, 'merge', { spec: { taints: dec.taints } })

    let next = dec.recheckAt ?? Infinity
    const pods = this.d.informers.pods.byIndex(BY_NODE, name) as Pod[]
    for (const p of pods) {
      if (isDeleting(p)) continue
      if (dec.ready !== 'True' && isPodReady(p)) await this.markNotReady(p, now)
      const at = evictionTime(p, taints, this.d.args.podEvictionTimeoutMs, now)
      if (at <= now) {
        if (!this.active) return
        const gone = await c.delete(R.pods, p.metadata.namespace, p.metadata.name ?? '')
        if (gone) {
          log.warn({ event: 'pod.evicted', node: name, pod: `${p.metadata.namespace}/${p.metadata.name}` }, 'pod.evicted')
          this.recorder.event(withKind(p, 'v1', 'Pod'), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${p.metadata.namespace}/${p.metadata.name}`)
        }
      } else next = Math.min(next, at)
    }
    if (Number.isFinite(next)) this.enqueueAfter(name, next - now + 1)
  }

  private async markNotReady(p: Pod, now: number): Promise<void> {
    const conditions = (p.status?.conditions ?? []).map((x) => (x.type === 'Ready' ? { ...x, status: 'False' as const, lastTransitionTime: new Date(now).toISOString() } : x))
    await this.d.client.patch(R.pods, p.metadata.namespace, p.metadata.name ?? '', 'merge', { status: { conditions } }, { subresource: 'status' })
      .catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
  }
}
