// Node and pod affinity types (pod.spec.affinity) and their matching. Pure.
import type { LabelSelector, Node, Pod } from '../../protocols/k8s.ts'
import { labelSelectorMatcher } from '../client/selectors.ts'

export interface NodeSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'
  values?: string[]
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[]
  matchFields?: NodeSelectorRequirement[]
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector
  namespaces?: string[]
  topologyKey: string
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] }
    preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>
  }
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]
  }
}

export const HOSTNAME_LABEL = 'kubernetes.io/hostname'

export function affinityOf(pod: Pod): Affinity {
  return (pod.spec.affinity ?? {}) as Affinity
}

function matchRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? []
  switch (r.operator) {
    case 'In': return value !== undefined && vals.includes(value)
    case 'NotIn': return value === undefined || !vals.includes(value)
    case 'Exists': return value !== undefined
    case 'DoesNotExist': return value === undefined
    case 'Gt': return value !== undefined && Number(value) > Number(vals[0])
    case 'Lt': return value !== undefined && Number(value) < Number(vals[0])
    default: return false
  }
}

/** A term matches when all of its expressions and fields match; an empty term matches nothing. */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (exprs.length === 0 && fields.length === 0) return false
  const labels = node.metadata.labels ?? {}
  for (const r of exprs) if (!matchRequirement(r, labels[r.key])) return false
  for (const r of fields) if (!matchRequirement(r, r.key === 'metadata.name' ? node.metadata.name : undefined)) return false
  return true
}

/** nodeSelector and required node affinity (terms are ORed). */
export function matchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {}
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false
  const req = affinityOf(pod).nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  if (req && !req.nodeSelectorTerms.some((t) => matchNodeSelectorTerm(t, node))) return false
  return true
}

export function preferredAffinityWeight(pod: Pod, node: Node): number {
  let sum = 0
  for (const p of affinityOf(pod).nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchNodeSelectorTerm(p.preference, node)) sum += p.weight
  }
  return sum
}

/** Does `term` (declared by a pod in `ownerNs`) select `other`? */
export function termSelects(term: PodAffinityTerm, ownerNs: string | undefined, other: Pod): boolean {
  const nss = term.namespaces && term.namespaces.length > 0 ? term.namespaces : [ownerNs ?? 'default']
  if (!nss.includes(other.metadata.namespace ?? 'default')) return false
  return labelSelectorMatcher(term.labelSelector)(other.metadata.labels)
}

export function requiredAntiAffinityHostnameTerms(pod: Pod): PodAffinityTerm[] {
  return (affinityOf(pod).podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.topologyKey === HOSTNAME_LABEL)
}
