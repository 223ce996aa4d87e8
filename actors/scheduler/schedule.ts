// The scheduling decision for one pod: filter nodes (a sample of the cluster for big clusters,
// as percentageOfNodesToScore does), score the feasible ones, pick the best (ties at random).
// A pure function of its inputs; the random source is passed in.
import type { Pod } from '../../protocols/k8s.ts'
import { filterNode } from './filters.ts'
import { podInfo, type NodeInfo } from './node-info.ts'
import { scoreNodes } from './scores.ts'

export const MIN_FEASIBLE_NODES_TO_FIND = 100
export const MIN_FEASIBLE_NODES_PERCENTAGE = 5

export interface ScheduleInput {
  pod: Pod
  nodes: readonly NodeInfo[]
  /** 0 = adaptive (50% minus numNodes/125, at least 5%), 100 = all nodes. */
  percentageOfNodesToScore: number
  /** Where to start scanning (rotates across calls so every node gets its turn). */
  startIndex: number
  random: () => number
}

export interface ScheduleResult {
  node?: string
  score?: number
  /** For a failure: reason -> number of nodes. */
  reasons: Map<string, number>
  feasible: number
  evaluated: number
  nextStartIndex: number
}

/** kube-scheduler's numFeasibleNodesToFind. */
export function numFeasibleNodesToFind(numAll: number, percentage: number): number {
  if (numAll < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAll
  let p = percentage
  if (p <= 0) {
    p = 50 - numAll / 125
    if (p < MIN_FEASIBLE_NODES_PERCENTAGE) p = MIN_FEASIBLE_NODES_PERCENTAGE
  }
  const n = Math.floor((numAll * p) / 100)
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n
}

export function schedulePod(input: ScheduleInput): ScheduleResult {
  const { pod, nodes } = input
  const n = nodes.length
  const pi = podInfo(pod)
  const want = numFeasibleNodesToFind(n, input.percentageOfNodesToScore)
  const feasible: NodeInfo[] = []
  const reasons = new Map<string, number>()
  const start = n === 0 ? 0 : ((input.startIndex % n) + n) % n
  let evaluated = 0
  for (; evaluated < n && feasible.length < want; evaluated++) {
    const ni = nodes[(start + evaluated) % n] as NodeInfo
    const why = filterNode(pod, pi, ni)
    if (why.length === 0) feasible.push(ni)
    else for (const r of why) reasons.set(r, (reasons.get(r) ?? 0) + 1)
  }
  const nextStartIndex = n === 0 ? 0 : (start + evaluated) % n
  if (feasible.length === 0) return { reasons, feasible: 0, evaluated, nextStartIndex }
  if (feasible.length === 1) return { node: (feasible[0] as NodeInfo).name, reasons, feasible: 1, evaluated, nextStartIndex }
  const scores = scoreNodes(pod, pi, feasible)
  let best = -Infinity
  let pick = 0
  let ties = 0
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number
    if (s > best + 1e-9) {
      best = s
      pick = i
      ties = 1
    } else if (Math.abs(s - best) <= 1e-9) {
      ties++
      if (input.random() * ties < 1) pick = i
    }
  }
  return { node: (feasible[pick] as NodeInfo).name, score: best, reasons, feasible: feasible.length, evaluated, nextStartIndex }
}

/** kube-scheduler's FitError text: "0/3 nodes are available: 1 node(s) ..., 2 Insufficient cpu." */
export function failureMessage(numNodes: number, reasons: Map<string, number>): string {
  const parts = [...reasons.entries()].map(([r, c]) => `${c} ${r}`).sort()
  return parts.length === 0 ? `0/${numNodes} nodes are available.` : `0/${numNodes} nodes are available: ${parts.join(', ')}.`
}
