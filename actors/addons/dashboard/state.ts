// The dashboard's view model (pure): a compact snapshot of the cluster built from informer
// caches, sent to browsers over server-sent events.
import type { Deployment, KEvent, Lease, Node, Pod } from '../../../protocols/k8s.ts'

export interface DashboardSnapshot {
  at: string
  nodes: Array<{ name: string; ready: string; pods: Array<{ ns: string; name: string; phase: string; ready: boolean; restarts: number }> }>
  unscheduled: Array<{ ns: string; name: string; phase: string }>
  workloads: Array<{ ns: string; name: string; replicas: number; updated: number; ready: number; available: number; generation: number; observed: number }>
  leases: Array<{ ns: string; name: string; holder: string; transitions: number; renewTime: string }>
  events: Array<{ time: string; type: string; reason: string; object: string; message: string; count: number }>
}

export function nodeReady(n: Node): string {
  const c = n.status?.conditions?.find((x) => x.type === 'Ready')
  return c ? (c.status === 'True' ? 'Ready' : c.status === 'False' ? 'NotReady' : 'Unknown') : 'Unknown'
}

function podSummary(p: Pod) {
  const cs = p.status?.containerStatuses ?? []
  return {
    ns: p.metadata.namespace ?? 'default',
    name: p.metadata.name ?? '',
    phase: p.metadata.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Pending'),
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    restarts: cs.reduce((s, c) => s + (c.restartCount ?? 0), 0),
  }
}

export function buildSnapshot(nowIso: string, nodes: Node[], pods: Pod[], deployments: Deployment[], leases: Lease[], events: KEvent[], maxEvents = 50): DashboardSnapshot {
  const byNode = new Map<string, DashboardSnapshot['nodes'][number]>()
  for (const n of [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    byNode.set(n.metadata.name ?? '', { name: n.metadata.name ?? '', ready: nodeReady(n), pods: [] })
  }
  const unscheduled: DashboardSnapshot['unscheduled'] = []
  for (const p of pods) {
    const s = podSummary(p)
    const node = p.spec.nodeName ? byNode.get(p.spec.nodeName) : undefined
    if (node) node.pods.push(s)
    else unscheduled.push({ ns: s.ns, name: s.name, phase: s.phase })
  }
  for (const n of byNode.values()) n.pods.sort((a, b) => `${a.ns}/${a.name}`.localeCompare(`${b.ns}/${b.name}`))
  const workloads = deployments
    .map((d) => ({
      ns: d.metadata.namespace ?? 'default',
      name: d.metadata.name ?? '',
      replicas: d.spec.replicas ?? 1,
      updated: d.status?.updatedReplicas ?? 0,
      ready: d.status?.readyReplicas ?? 0,
      available: d.status?.availableReplicas ?? 0,
      generation: d.metadata.generation ?? 0,
      observed: d.status?.observedGeneration ?? 0,
    }))
    .sort((a, b) => `${a.ns}/${a.name}`.localeCompare(`${b.ns}/${b.name}`))
  const leaseRows = leases
    .filter((l) => l.metadata.namespace === 'kube-system')
    .map((l) => ({
      ns: l.metadata.namespace ?? '',
      name: l.metadata.name ?? '',
      holder: l.spec.holderIdentity ?? '',
      transitions: l.spec.leaseTransitions ?? 0,
      renewTime: l.spec.renewTime ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
  const evTime = (e: KEvent) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? ''
  const evs = [...events]
    .sort((a, b) => evTime(b).localeCompare(evTime(a)))
    .slice(0, maxEvents)
    .map((e) => ({
      time: evTime(e),
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`,
      message: e.message ?? '',
      count: e.count ?? 1,
    }))
  return { at: nowIso, nodes: [...byNode.values()], unscheduled, workloads, leases: leaseRows, events: evs }
}
