// The DaemonSet decision: one pod per eligible node (nodeSelector, required node affinity on
// labels, taints tolerated), extra or misplaced pods deleted, failed pods replaced, outdated
// pods replaced one at a time (RollingUpdate), and the status. Pure.
import type { Node, Pod, Taint, Toleration } from '../../protocols/k8s.ts'
import { podTemplateHash } from './hash.ts'
import { resolveIntOrPercent } from './intstr.ts'
import { isPodActive, isPodAvailable, isPodReady } from './pods.ts'
import type { DaemonSet } from './workload-types.ts'

export const REVISION_LABEL = 'controller-revision-hash'

/** Tolerations every daemon pod gets (the DaemonSet controller adds them too). */
export const DAEMON_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]

function tolerated(t: Taint, tols: Toleration[]): boolean {
  if (t.effect === 'PreferNoSchedule') return true
  return tols.some((tol) => (!tol.effect || tol.effect === t.effect) && (tol.operator === 'Exists' ? !tol.key || tol.key === t.key : tol.key === t.key && (tol.value ?? '') === (t.value ?? '')))
}

interface NodeSelectorTerm { matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }

function termMatches(term: NodeSelectorTerm, labels: Record<string, string>): boolean {
  return (term.matchExpressions ?? []).every((e) => {
    const v = labels[e.key]
    const vals = e.values ?? []
    switch (e.operator) {
      case 'In': return v !== undefined && vals.includes(v)
      case 'NotIn': return v === undefined || !vals.includes(v)
      case 'Exists': return v !== undefined
      case 'DoesNotExist': return v === undefined
      case 'Gt': return v !== undefined && Number(v) > Number(vals[0])
      case 'Lt': return v !== undefined && Number(v) < Number(vals[0])
      default: return false
    }
  })
}

/** Should this DaemonSet run a pod on this node? */
export function nodeEligible(ds: DaemonSet, node: Node): boolean {
  const labels = node.metadata.labels ?? {}
  const spec = ds.spec.template.spec
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false
  const affinity = spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } | undefined
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  if (terms && terms.length > 0 && !terms.some((t) => termMatches(t, labels))) return false
  const tols = [...(spec.tolerations ?? []), ...DAEMON_TOLERATIONS]
  return (node.spec.taints ?? []).every((t) => tolerated(t, tols))
}

export interface DaemonDecision {
  /** Node names that need a pod. */
  create: string[]
  delete: Pod[]
  hash: string
  status: NonNullable<DaemonSet['status']>
}

export function decideDaemonSet(ds: DaemonSet, nodes: Node[], owned: Pod[], now: number): DaemonDecision {
  const hash = podTemplateHash(ds.spec.template)
  const minReady = ds.spec.minReadySeconds ?? 0
  const byNode = new Map<string, Pod[]>()
  const del: Pod[] = []
  for (const p of owned) {
    if (p.metadata.deletionTimestamp) continue
    const n = p.spec.nodeName ?? ''
    if (!byNode.has(n)) byNode.set(n, [])
    byNode.get(n)!.push(p)
  }
  const create: string[] = []
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0
  const outdated: Pod[] = []
  const nodeNames = new Set(nodes.map((n) => n.metadata.name ?? ''))
  for (const node of nodes) {
    const name = node.metadata.name ?? ''
    const pods = byNode.get(name) ?? []
    const eligible = nodeEligible(ds, node)
    if (!eligible) {
      if (pods.length > 0) misscheduled++
      del.push(...pods)
      continue
    }
    desired++
    const failed = pods.filter((p) => p.status?.phase === 'Failed')
    del.push(...failed)
    const live = pods.filter(isPodActive).sort((a, b) => (a.metadata.creationTimestamp ?? '') < (b.metadata.creationTimestamp ?? '') ? -1 : 1)
    if (live.length === 0) {
      create.push(name)
      continue
    }
    current++
    del.push(...live.slice(1))
    const p = live[0]!
    if (isPodReady(p)) ready++
    if (isPodAvailable(p, minReady, now)) available++
    if (p.metadata.labels?.[REVISION_LABEL] === hash) updated++
    else outdated.push(p)
  }
  // Pods on nodes that no longer exist.
  for (const [n, pods] of byNode) if (!nodeNames.has(n)) del.push(...pods)

  if (ds.spec.updateStrategy?.type !== 'OnDelete' && outdated.length > 0) {
    const maxUnavailable = Math.max(1, resolveIntOrPercent(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable, desired, true, 1))
    const unavailable = desired - available
    const budget = Math.max(0, maxUnavailable - unavailable)
    // Not-ready outdated pods go first; they cost no availability.
    const notAvail = outdated.filter((p) => !isPodAvailable(p, minReady, now))
    const avail = outdated.filter((p) => isPodAvailable(p, minReady, now))
    del.push(...notAvail, ...avail.slice(0, budget))
  }
  return {
    create,
    delete: del,
    hash,
    status: {
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      numberUnavailable: desired - available,
      updatedNumberScheduled: updated,
      observedGeneration: ds.metadata.generation ?? 0,
    },
  }
}
