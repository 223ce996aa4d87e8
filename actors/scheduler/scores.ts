// Score plugins: each gives every feasible node a score in [0, 100]; the total is the sum
// (all weights 1). Normalizing plugins see all feasible nodes at once. Pure.
import type { Pod } from '../../protocols/k8s.ts'
import { preferredAffinityWeight } from './affinity.ts'
import { untoleratedTaint } from './filters.ts'
import type { NodeInfo, PodInfo } from './node-info.ts'

export type Scorer = (pod: Pod, pi: PodInfo, nodes: NodeInfo[]) => number[]

const MAX = 100

function fractions(pi: PodInfo, ni: NodeInfo): { cpu: number; mem: number } {
  const a = ni.allocatable
  const cpu = a.milliCpu > 0 ? (ni.nonZeroRequested.milliCpu + pi.nonZero.milliCpu) / a.milliCpu : 1
  const mem = a.memory > 0 ? (ni.nonZeroRequested.memory + pi.nonZero.memory) / a.memory : 1
  return { cpu: Math.min(1, cpu), mem: Math.min(1, mem) }
}

/** NodeResourcesFit LeastAllocated: prefer nodes with more free cpu and memory. */
export const leastAllocated: Scorer = (_p, pi, nodes) =>
  nodes.map((ni) => {
    const f = fractions(pi, ni)
    return ((1 - f.cpu) * MAX + (1 - f.mem) * MAX) / 2
  })

/** NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory use stay balanced. */
export const balancedAllocation: Scorer = (_p, pi, nodes) =>
  nodes.map((ni) => {
    const f = fractions(pi, ni)
    return (1 - Math.abs(f.cpu - f.mem) / 2) * MAX
  })

/** Spread pods of one owner (ReplicaSet, StatefulSet, ...) across nodes: fewer siblings, higher score. */
export const ownerSpread: Scorer = (_pod, pi, nodes) => {
  const owner = pi.owner
  if (!owner) return nodes.map(() => MAX)
  const counts = nodes.map((ni) => ni.ownerCounts.get(owner) ?? 0)
  let max = 0
  for (const c of counts) if (c > max) max = c
  return counts.map((c) => (max === 0 ? MAX : (MAX * (max - c)) / max))
}

/** NodeAffinity (preferred terms): the matched weight, normalized to the best node. */
export const preferredNodeAffinity: Scorer = (pod, _pi, nodes) => {
  const w = nodes.map((ni) => (ni.node ? preferredAffinityWeight(pod, ni.node) : 0))
  const max = Math.max(0, ...w)
  return w.map((x) => (max === 0 ? 0 : (MAX * x) / max))
}

/** TaintToleration: avoid nodes with untolerated PreferNoSchedule taints. */
export const preferNoScheduleTaints: Scorer = (pod, _pi, nodes) => {
  const bad = nodes.map((ni) => (untoleratedTaint(pod, ni.node?.spec?.taints ?? [], ['PreferNoSchedule']) ? 1 : 0))
  return bad.map((b) => MAX * (1 - b))
}

export const SCORERS: ReadonlyArray<[string, Scorer]> = [
  ['LeastAllocated', leastAllocated],
  ['BalancedAllocation', balancedAllocation],
  ['OwnerSpread', ownerSpread],
  ['NodeAffinity', preferredNodeAffinity],
  ['TaintToleration', preferNoScheduleTaints],
]

export function scoreNodes(pod: Pod, pi: PodInfo, nodes: NodeInfo[]): number[] {
  const total = nodes.map(() => 0)
  for (const [, s] of SCORERS) {
    const r = s(pod, pi, nodes)
    for (let i = 0; i < total.length; i++) total[i] = (total[i] as number) + (r[i] as number)
  }
  return total
}
