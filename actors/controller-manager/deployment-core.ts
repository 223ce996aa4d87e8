// The Deployment decision: find or make the new ReplicaSet (pod-template-hash, revision), scale
// new and old ReplicaSets one step of RollingUpdate or Recreate, clean up history, and compute
// the status kubectl rollout status reads. Pure: no I/O, time passed in.
import type { Deployment, Pod, ReplicaSet } from '../../protocols/k8s.ts'
import { podTemplateHash, templatesEqualIgnoringHash } from './hash.ts'
import { resolveIntOrPercent } from './intstr.ts'
import { isDeleting } from './owners.ts'
import { isPodActive } from './pods.ts'

export const REVISION = 'deployment.kubernetes.io/revision'
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas'
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas'
export const HASH_LABEL = 'pod-template-hash'

export type DeploymentCondition = NonNullable<NonNullable<Deployment['status']>['conditions']>[number]
export type DeploymentStatus = NonNullable<Deployment['status']>

export type DeploymentAction =
  | { type: 'create'; rs: ReplicaSet }
  | { type: 'scale'; name: string; from: number; to: number; annotations: Record<string, string> }
  | { type: 'annotate'; name: string; annotations: Record<string, string> }
  | { type: 'delete'; name: string }

export interface DeploymentDecision {
  actions: DeploymentAction[]
  status: DeploymentStatus
}

export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[REVISION] ?? '0')
  return Number.isFinite(n) ? n : 0
}

const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0
const statusOf = (rs: ReplicaSet) => rs.status ?? { replicas: 0 }

export function maxSurgeAndUnavailable(d: Deployment): { surge: number; unavailable: number } {
  const replicas = d.spec.replicas ?? 1
  if (d.spec.strategy?.type === 'Recreate') return { surge: 0, unavailable: replicas }
  const ru = d.spec.strategy?.rollingUpdate ?? {}
  const surge = resolveIntOrPercent(ru.maxSurge, replicas, true, '25%')
  let unavailable = resolveIntOrPercent(ru.maxUnavailable, replicas, false, '25%')
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { surge, unavailable: Math.min(unavailable, replicas) }
}

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ca = a.metadata.creationTimestamp ?? ''
  const cb = b.metadata.creationTimestamp ?? ''
  if (ca !== cb) return ca < cb ? -1 : 1
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1
}

/** The ReplicaSet whose template equals the deployment's (oldest first when several). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template))
}

export function newReplicaSetObject(d: Deployment, revision: number, replicas: number, maxSurge: number): ReplicaSet {
  const hash = podTemplateHash(d.spec.template, d.status?.collisionCount ?? 0)
  const template = structuredClone(d.spec.template)
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } }
  const selector = structuredClone(d.spec.selector)
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash }
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...(d.spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      annotations: replicaAnnotations(d, revision, maxSurge),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, selector, template, minReadySeconds: d.spec.minReadySeconds ?? 0 },
  }
}

function replicaAnnotations(d: Deployment, revision: number, maxSurge: number): Record<string, string> {
  const replicas = d.spec.replicas ?? 1
  return { [REVISION]: String(revision), [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + maxSurge) }
}

/** RollingUpdate: how far the new ReplicaSet may grow now (deploymentutil.NewRSNewReplicas). */
export function newRSReplicasRolling(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet, activePods = 0): number {
  const replicas = d.spec.replicas ?? 1
  const { surge } = maxSurgeAndUnavailable(d)
  // Pods still running beyond what the sets ask for (a scale-down not carried out yet) count too.
  const current = Math.max(all.reduce((s, rs) => s + specReplicas(rs), 0), activePods)
  const maxTotal = replicas + surge
  if (current >= maxTotal) return specReplicas(newRS)
  const up = Math.min(maxTotal - current, Math.max(0, replicas - specReplicas(newRS)))
  return specReplicas(newRS) + up
}

/** RollingUpdate: new sizes of old ReplicaSets after one step of scaling down. */
export function scaleDownOld(d: Deployment, oldRSs: ReplicaSet[], newRS: ReplicaSet): Map<string, number> {
  const out = new Map<string, number>()
  const replicas = d.spec.replicas ?? 1
  const { unavailable } = maxSurgeAndUnavailable(d)
  const oldCount = oldRSs.reduce((s, rs) => s + specReplicas(rs), 0)
  if (oldCount === 0) return out
  const all = [...oldRSs, newRS]
  const allCount = all.reduce((s, rs) => s + specReplicas(rs), 0)
  const minAvailable = replicas - unavailable
  const newUnavailable = specReplicas(newRS) - (statusOf(newRS).availableReplicas ?? 0)
  let maxScaledDown = allCount - minAvailable - newUnavailable
  if (maxScaledDown <= 0) return out
  const sorted = [...oldRSs].sort(byCreation)
  const size = new Map(sorted.map((rs) => [rs.metadata.name ?? '', specReplicas(rs)]))
  // First the unhealthy replicas of old sets (cleanupUnhealthyReplicas).
  for (const rs of sorted) {
    if (maxScaledDown <= 0) break
    const cur = size.get(rs.metadata.name ?? '') ?? 0
    const unhealthy = cur - (statusOf(rs).availableReplicas ?? 0)
    if (unhealthy <= 0) continue
    const down = Math.min(unhealthy, maxScaledDown)
    size.set(rs.metadata.name ?? '', cur - down)
    maxScaledDown -= down
  }
  // Then available ones, keeping minAvailable (scaleDownOldReplicaSetsForRollingUpdate).
  const available = all.reduce((s, rs) => s + (statusOf(rs).availableReplicas ?? 0), 0)
  let total = Math.min(available - minAvailable, maxScaledDown)
  for (const rs of sorted) {
    if (total <= 0) break
    const cur = size.get(rs.metadata.name ?? '') ?? 0
    if (cur === 0) continue
    const down = Math.min(cur, total, statusOf(rs).availableReplicas ?? cur)
    size.set(rs.metadata.name ?? '', cur - down)
    total -= down
  }
  for (const rs of sorted) {
    const n = size.get(rs.metadata.name ?? '') ?? 0
    if (n !== specReplicas(rs)) out.set(rs.metadata.name ?? '', n)
  }
  return out
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = d.spec.replicas ?? 1
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
}

function setCondition(conds: DeploymentCondition[], c: DeploymentCondition, nowIso: string): DeploymentCondition[] {
  const prev = conds.find((x) => x.type === c.type)
  const next: DeploymentCondition = { ...c, lastUpdateTime: nowIso, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : nowIso }
  if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return conds
  return [...conds.filter((x) => x.type !== c.type), next]
}

export function computeStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, now: number, created: boolean): DeploymentStatus {
  const replicas = d.spec.replicas ?? 1
  const { unavailable } = maxSurgeAndUnavailable(d)
  const sum = (f: (rs: ReplicaSet) => number) => all.reduce((s, rs) => s + f(rs), 0)
  const available = sum((rs) => statusOf(rs).availableReplicas ?? 0)
  const s: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum((rs) => statusOf(rs).replicas ?? 0),
    updatedReplicas: newRS ? (statusOf(newRS).replicas ?? 0) : 0,
    readyReplicas: sum((rs) => statusOf(rs).readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum(specReplicas) - available),
  }
  if (d.status?.collisionCount) s.collisionCount = d.status.collisionCount
  const nowIso = new Date(now).toISOString()
  let conds = d.status?.conditions ?? []
  conds = setCondition(conds, available >= replicas - unavailable
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, nowIso)
  const rsName = newRS?.metadata.name ?? ''
  if (d.spec.paused) {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, nowIso)
  } else if (newRS && deploymentComplete(d, s)) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, nowIso)
  } else if (created) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` }, nowIso)
  } else if (newRS) {
    const prev = conds.find((c) => c.type === 'Progressing')
    const changed = !d.status || d.status.replicas !== s.replicas || d.status.updatedReplicas !== s.updatedReplicas || d.status.availableReplicas !== s.availableReplicas || d.status.readyReplicas !== s.readyReplicas
    const deadline = d.spec.progressDeadlineSeconds ?? 600
    const last = prev?.lastUpdateTime ? Date.parse(prev.lastUpdateTime) : now
    if (!changed && prev?.reason !== 'NewReplicaSetAvailable' && now - last > deadline * 1000) {
      conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, nowIso)
    } else if (changed || !prev || prev.reason === 'NewReplicaSetAvailable' || prev.status !== 'True') {
      conds = [...conds.filter((c) => c.type !== 'Progressing'), { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.`, lastUpdateTime: nowIso, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : nowIso }]
    }
  }
  s.conditions = conds
  return s
}

/** Old ReplicaSets beyond revisionHistoryLimit that are fully scaled down, oldest first. */
export function historyToDelete(d: Deployment, oldRSs: ReplicaSet[]): string[] {
  const limit = d.spec.revisionHistoryLimit ?? 10
  const idle = oldRSs.filter((rs) => specReplicas(rs) === 0 && (statusOf(rs).replicas ?? 0) === 0 && !isDeleting(rs))
  const excess = idle.length - limit
  if (excess <= 0) return []
  return [...idle].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b)).slice(0, excess).map((rs) => rs.metadata.name ?? '')
}

/**
 * One sync of a deployment. `rss` are the ReplicaSets it controls, `pods` its pods (Recreate
 * waits for old pods to be gone).
 */
export function decideDeployment(d: Deployment, rss: ReplicaSet[], pods: Pod[], now: number): DeploymentDecision {
  const replicas = d.spec.replicas ?? 1
  const { surge } = maxSurgeAndUnavailable(d)
  const actions: DeploymentAction[] = []
  let newRS = findNewReplicaSet(d, rss)
  const oldRSs = rss.filter((rs) => rs !== newRS)
  const maxOldRevision = oldRSs.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0)
  let created = false
  const all = (): ReplicaSet[] => (newRS ? [...oldRSs, newRS] : [...oldRSs])
  const finish = (): DeploymentDecision => {
    for (const name of historyToDelete(d, oldRSs)) actions.push({ type: 'delete', name })
    return { actions, status: computeStatus(d, all(), newRS, now, created) }
  }

  if (isDeleting(d)) return { actions, status: computeStatus(d, all(), newRS, now, false) }

  if (newRS && revisionOf(newRS) <= maxOldRevision) {
    // A rollback (template of an older ReplicaSet) or a template flip: it becomes the newest revision.
    const ann = replicaAnnotations(d, maxOldRevision + 1, surge)
    actions.push({ type: 'annotate', name: newRS.metadata.name ?? '', annotations: ann })
    newRS = { ...newRS, metadata: { ...newRS.metadata, annotations: { ...(newRS.metadata.annotations ?? {}), ...ann } } }
  }

  if (d.spec.paused) {
    // Paused: no new ReplicaSet, no rollout; only a plain scale when a single set is active.
    const active = all().filter((rs) => specReplicas(rs) > 0)
    const target = active.length === 1 ? active[0] : newRS && active.length === 0 ? newRS : undefined
    if (target && specReplicas(target) !== replicas) actions.push(scaleAction(d, target, replicas, surge))
    return finish()
  }

  if (!newRS) {
    const isRecreate = d.spec.strategy?.type === 'Recreate'
    const oldActive = oldRSs.some((rs) => specReplicas(rs) > 0)
    const initial = isRecreate && oldActive ? 0 : oldActive ? Math.min(replicas, newRSReplicasRolling(d, oldRSs, { metadata: {}, spec: { replicas: 0, selector: {}, template: d.spec.template } })) : replicas
    newRS = newReplicaSetObject(d, maxOldRevision + 1, initial, surge)
    actions.push({ type: 'create', rs: newRS })
    created = true
    return finish()
  }

  if (d.spec.strategy?.type === 'Recreate') {
    const oldActive = oldRSs.filter((rs) => specReplicas(rs) > 0)
    if (oldActive.length > 0) {
      for (const rs of oldActive) actions.push(scaleAction(d, rs, 0, surge))
      return finish()
    }
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid))
    const oldPodsLeft = pods.some((p) => (p.metadata.ownerReferences ?? []).some((r) => oldUids.has(r.uid)) && (isPodActive(p) || isDeleting(p)))
    if (oldPodsLeft) return finish()
    if (specReplicas(newRS) !== replicas) actions.push(scaleAction(d, newRS, replicas, surge))
    return finish()
  }

  // RollingUpdate: first grow the new set as far as maxSurge allows, else shrink old ones.
  const wanted = specReplicas(newRS) > replicas ? replicas : newRSReplicasRolling(d, all(), newRS, pods.filter(isPodActive).length)
  if (wanted !== specReplicas(newRS)) {
    actions.push(scaleAction(d, newRS, wanted, surge))
    return finish()
  }
  const down = scaleDownOld(d, oldRSs, newRS)
  for (const rs of oldRSs) {
    const to = down.get(rs.metadata.name ?? '')
    if (to !== undefined) actions.push(scaleAction(d, rs, to, surge))
  }
  return finish()
}

function scaleAction(d: Deployment, rs: ReplicaSet, to: number, surge: number): DeploymentAction {
  const replicas = d.spec.replicas ?? 1
  return { type: 'scale', name: rs.metadata.name ?? '', from: specReplicas(rs), to, annotations: { [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + surge) } }
}
