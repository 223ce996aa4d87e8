// The replication decision (ReplicaSet and ReplicationController): which pods to adopt or
// release, how many to create, which to delete, and the status. Pure: no I/O, time passed in.
import type { KObject, LabelSelector, OwnerReference, Pod, PodTemplateSpec } from '../../protocols/k8s.ts'
import { controllerRef, isDeleting } from './owners.ts'
import { isPodActive, isPodAvailable, isPodReady } from './pods.ts'
import { selectorMatches } from './labels.ts'

/** What the decision needs from either kind. */
export interface ReplicatedSet {
  obj: KObject
  apiVersion: string
  kind: string
  replicas: number
  selector: LabelSelector
  template: PodTemplateSpec
  minReadySeconds: number
}

export interface ReplicaStatus {
  replicas: number
  fullyLabeledReplicas: number
  readyReplicas: number
  availableReplicas: number
  observedGeneration: number
}

export interface ReplicaDecision {
  adopt: Pod[]
  release: Pod[]
  /** Pods to create now (0 when expectations are not satisfied). */
  create: number
  delete: Pod[]
  /** The pods this set controls after adopt/release, active ones only. */
  owned: Pod[]
  status: ReplicaStatus
}

/** Upper bound per sync, as the replica set controller's burstReplicas. */
export const BURST_REPLICAS = 500

export function claimPods(set: ReplicatedSet, pods: Pod[]): { owned: Pod[]; adopt: Pod[]; release: Pod[] } {
  const uid = set.obj.metadata.uid
  const owned: Pod[] = []
  const adopt: Pod[] = []
  const release: Pod[] = []
  const ns = set.obj.metadata.namespace
  for (const p of pods) {
    if (p.metadata.namespace !== ns) continue
    const ref = controllerRef(p)
    const matches = selectorMatches(set.selector, p.metadata.labels)
    if (ref) {
      if (ref.uid !== uid) continue
      if (matches) owned.push(p)
      else if (!isDeleting(set.obj)) release.push(p)
      continue
    }
    if (matches && !isDeleting(set.obj) && !isDeleting(p) && isPodActive(p)) {
      adopt.push(p)
      owned.push(p)
    }
  }
  return { owned, adopt, release }
}

/**
 * Deletion order (controller.ActivePods less): unassigned before assigned, Pending before
 * Unknown before Running, not ready before ready, more restarts first, newer first.
 */
export function deletionRank(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec.nodeName ? 1 : 0)
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b)
  const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }
  const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0
  const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0
  if (pa !== pb) return pa - pb
  const ra = isPodReady(a) ? 1 : 0
  const rb = isPodReady(b) ? 1 : 0
  if (ra !== rb) return ra - rb
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0)
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a)
  const ca = a.metadata.creationTimestamp ?? ''
  const cb = b.metadata.creationTimestamp ?? ''
  if (ca !== cb) return ca > cb ? -1 : 1
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : -1
}

export function replicaStatus(set: ReplicatedSet, owned: Pod[], now: number): ReplicaStatus {
  const active = owned.filter(isPodActive)
  const tl = set.template.metadata?.labels ?? {}
  return {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(tl).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, set.minReadySeconds, now)).length,
    observedGeneration: set.obj.metadata.generation ?? 0,
  }
}

export function decideReplicas(set: ReplicatedSet, pods: Pod[], expectationsSatisfied: boolean, now: number): ReplicaDecision {
  const { owned, adopt, release } = claimPods(set, pods)
  const active = owned.filter(isPodActive)
  const status = replicaStatus(set, active, now)
  let create = 0
  let del: Pod[] = []
  if (expectationsSatisfied && !isDeleting(set.obj)) {
    const diff = active.length - set.replicas
    if (diff < 0) create = Math.min(-diff, BURST_REPLICAS)
    else if (diff > 0) del = [...active].sort(deletionRank).slice(0, Math.min(diff, BURST_REPLICAS))
  }
  return { adopt, release, create, delete: del, owned: active, status }
}

export function ownerRef(set: ReplicatedSet): OwnerReference {
  return { apiVersion: set.apiVersion, kind: set.kind, name: set.obj.metadata.name ?? '', uid: set.obj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }
}
