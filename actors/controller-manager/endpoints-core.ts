// The Endpoints decision: the pods a Service selects, ready ones in addresses and not-ready ones
// in notReadyAddresses, grouped into subsets by their resolved ports (targetPort by name or
// number). Pure.
import type { EndpointAddress, EndpointSubset, Endpoints, Pod, Service } from '../../protocols/k8s.ts'
import { mapSelectorMatches } from './labels.ts'
import { isPodReady } from './pods.ts'

type EPort = NonNullable<EndpointSubset['ports']>[number]

/** A service port's target on a given pod, or undefined when the named port is absent. */
export function resolveTargetPort(svcPort: NonNullable<Service['spec']['ports']>[number], pod: Pod): number | undefined {
  const tp = svcPort.targetPort ?? svcPort.port
  if (typeof tp === 'number') return tp
  if (/^\d+$/.test(tp)) return Number(tp)
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (p.name === tp && (p.protocol ?? 'TCP') === (svcPort.protocol ?? 'TCP')) return p.containerPort
    }
  }
  return undefined
}

function address(p: Pod): EndpointAddress {
  const a: EndpointAddress = {
    ip: p.status?.podIP ?? '',
    targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
  }
  if (p.spec.nodeName) a.nodeName = p.spec.nodeName
  if (p.spec.hostname) a.hostname = p.spec.hostname
  return a
}

const byIp = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)

/** The subsets a service should have now. Undefined when the service has no selector (manual endpoints). */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] | undefined {
  const sel = svc.spec.selector
  if (!sel || Object.keys(sel).length === 0) return undefined
  const groups = new Map<string, { ports: EPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>()
  for (const p of pods) {
    if (p.metadata.namespace !== svc.metadata.namespace) continue
    if (!mapSelectorMatches(sel, p.metadata.labels)) continue
    if (!p.status?.podIP) continue
    if (p.metadata.deletionTimestamp) continue
    const phase = p.status.phase
    if (phase === 'Succeeded' || phase === 'Failed') continue
    const ports: EPort[] = []
    for (const sp of svc.spec.ports ?? []) {
      const n = resolveTargetPort(sp, p)
      if (n === undefined) continue
      const e: EPort = { port: n, protocol: sp.protocol ?? 'TCP' }
      if (sp.name) e.name = sp.name
      ports.push(e)
    }
    if ((svc.spec.ports ?? []).length > 0 && ports.length === 0) continue
    const k = JSON.stringify(ports)
    let g = groups.get(k)
    if (!g) groups.set(k, (g = { ports, ready: [], notReady: [] }))
    if (isPodReady(p)) g.ready.push(address(p))
    else g.notReady.push(address(p))
  }
  const out: EndpointSubset[] = []
  for (const k of [...groups.keys()].sort()) {
    const g = groups.get(k)!
    const s: EndpointSubset = {}
    if (g.ready.length) s.addresses = g.ready.sort(byIp)
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIp)
    if (g.ports.length) s.ports = g.ports
    out.push(s)
  }
  return out
}

export function endpointsObject(svc: Service, subsets: EndpointSubset[]): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels: { ...(svc.metadata.labels ?? {}) } },
    subsets,
  }
}

export function subsetsEqual(a: EndpointSubset[] | undefined, b: EndpointSubset[]): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b)
}
