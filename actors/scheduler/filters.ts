// Filter plugins, in kube-scheduler's order: each returns the reasons a node cannot take the
// pod (empty: it can). The reason strings are kube-scheduler's, so FailedScheduling messages
// read the same. Pure.
import type { Pod, Taint, Toleration } from '../../protocols/k8s.ts'
import { matchesNodeSelectorAndAffinity, termSelects } from './affinity.ts'
import type { NodeInfo, PodInfo } from './node-info.ts'

export const REASON_NOT_READY = 'node(s) were not ready'
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable'
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports"
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
export const REASON_TOO_MANY_PODS = 'Too many pods'
export const REASON_NODE_NAME = "node(s) didn't match the requested node name"

export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false
  if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key
  return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '')
}

export function untoleratedTaint(pod: Pod, taints: Taint[], effects: Array<Taint['effect']>): Taint | undefined {
  const tols = pod.spec.tolerations ?? []
  return taints.find((t) => effects.includes(t.effect) && !tols.some((tol) => tolerates(tol, t)))
}

function isReady(ni: NodeInfo): boolean {
  const c = ni.node?.status?.conditions?.find((x) => x.type === 'Ready')
  return c?.status === 'True'
}

export type Filter = (pod: Pod, pi: PodInfo, ni: NodeInfo) => readonly string[]

/** The shared 'fits' answer (no allocation per node). */
const OK: readonly string[] = Object.freeze([])
const HARD_EFFECTS: Array<Taint['effect']> = ['NoSchedule', 'NoExecute']

const nodeReady: Filter = (_p, _pi, ni) => (ni.node && isReady(ni) ? OK : [REASON_NOT_READY])

const nodeUnschedulable: Filter = (pod, _pi, ni) => {
  if (!ni.node?.spec?.unschedulable) return OK
  const t: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }
  return (pod.spec.tolerations ?? []).some((tol) => tolerates(tol, t)) ? OK : [REASON_UNSCHEDULABLE]
}

const taintToleration: Filter = (pod, _pi, ni) => {
  const taints = ni.node?.spec?.taints
  if (!taints || taints.length === 0) return OK
  const t = untoleratedTaint(pod, taints, HARD_EFFECTS)
  return t ? [`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`] : OK
}

const nodeAffinity: Filter = (pod, _pi, ni) => (ni.node && matchesNodeSelectorAndAffinity(pod, ni.node) ? OK : [REASON_AFFINITY])

const nodePorts: Filter = (_p, pi, ni) => (pi.ports.some((p) => ni.usedPorts.has(p)) ? [REASON_PORTS] : OK)

const resourcesFit: Filter = (_p, pi, ni) => {
  const a = ni.allocatable
  const r = ni.requested
  if (r.pods + 1 <= a.pods && r.milliCpu + pi.requests.milliCpu <= a.milliCpu && r.memory + pi.requests.memory <= a.memory) return OK
  const out: string[] = []
  if (r.pods + 1 > a.pods) out.push(REASON_TOO_MANY_PODS)
  if (pi.requests.milliCpu > 0 && r.milliCpu + pi.requests.milliCpu > a.milliCpu) out.push('Insufficient cpu')
  if (pi.requests.memory > 0 && r.memory + pi.requests.memory > a.memory) out.push('Insufficient memory')
  return out
}

const podAntiAffinity: Filter = (pod, pi, ni) => {
  if (pi.antiAffinity.length > 0) {
    for (const other of ni.pods.values()) {
      if (pi.antiAffinity.some((t) => termSelects(t, pod.metadata.namespace, other.pod))) return [REASON_ANTI_AFFINITY]
    }
  }
  for (const key of ni.antiAffinityPods) {
    const other = ni.pods.get(key)
    if (other && other.antiAffinity.some((t) => termSelects(t, other.pod.metadata.namespace, pod))) return [REASON_EXISTING_ANTI_AFFINITY]
  }
  return OK
}

export const FILTERS: ReadonlyArray<[string, Filter]> = [
  ['NodeReady', nodeReady],
  ['NodeUnschedulable', nodeUnschedulable],
  ['TaintToleration', taintToleration],
  ['NodeAffinity', nodeAffinity],
  ['NodePorts', nodePorts],
  ['NodeResourcesFit', resourcesFit],
  ['InterPodAffinity', podAntiAffinity],
]

/** Reasons from the first failing filter (kube-scheduler stops at the first), or [] if the node fits. */
export function filterNode(pod: Pod, pi: PodInfo, ni: NodeInfo): readonly string[] {
  for (let i = 0; i < FILTERS.length; i++) {
    const r = (FILTERS[i] as [string, Filter])[1](pod, pi, ni)
    if (r.length > 0) return r
  }
  return OK
}
