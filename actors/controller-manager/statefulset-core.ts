// The StatefulSet decision: stable names <set>-<ordinal>, claims from volumeClaimTemplates,
// OrderedReady creation (each pod Running and Ready before the next), ordered scale-down from
// the highest ordinal, rolling replacement of outdated pods from the highest ordinal. Pure.
import type { OwnerReference, Pod } from '../../protocols/k8s.ts'
import { podTemplateHash } from './hash.ts'
import { isPodReady, podFromTemplate } from './pods.ts'
import type { PersistentVolumeClaim, StatefulSet } from './workload-types.ts'

export const REVISION_LABEL = 'controller-revision-hash'
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'

export type StatefulAction =
  | { type: 'createClaim'; claim: PersistentVolumeClaim; pod: string }
  | { type: 'createPod'; pod: Pod }
  | { type: 'deletePod'; name: string; reason: 'scale-down' | 'failed' | 'update' }

export interface StatefulDecision {
  actions: StatefulAction[]
  status: NonNullable<StatefulSet['status']>
}

export function ordinalOf(setName: string, podName: string): number {
  const prefix = `${setName}-`
  if (!podName.startsWith(prefix)) return -1
  const s = podName.slice(prefix.length)
  return /^\d+$/.test(s) ? Number(s) : -1
}

export function claimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${setName}-${ordinal}`
}

const runningReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p) && !p.metadata.deletionTimestamp

export function statefulPod(set: StatefulSet, ordinal: number, owner: OwnerReference, hash: string): Pod {
  const name = `${set.metadata.name}-${ordinal}`
  const pod = podFromTemplate(set.spec.template, set.metadata.namespace ?? 'default', '', owner, { [REVISION_LABEL]: hash, [POD_NAME_LABEL]: name }, name)
  pod.spec.hostname = name
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName
  const volumes = (pod.spec.volumes ?? []) as Array<{ name: string; [k: string]: unknown }>
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const tname = t.metadata.name ?? ''
    const v = { name: tname, persistentVolumeClaim: { claimName: claimName(tname, set.metadata.name ?? '', ordinal) } }
    const i = volumes.findIndex((x) => x.name === tname)
    if (i >= 0) volumes[i] = v
    else volumes.push(v)
  }
  if (volumes.length > 0) pod.spec.volumes = volumes
  return pod
}

export function decideStatefulSet(set: StatefulSet, owned: Pod[], claims: Set<string>, owner: OwnerReference): StatefulDecision {
  const setName = set.metadata.name ?? ''
  const replicas = set.spec.replicas ?? 1
  const parallel = set.spec.podManagementPolicy === 'Parallel'
  const hash = podTemplateHash(set.spec.template)
  const byOrdinal = new Map<number, Pod>()
  for (const p of owned) {
    const o = ordinalOf(setName, p.metadata.name ?? '')
    if (o >= 0) byOrdinal.set(o, p)
  }
  const actions: StatefulAction[] = []
  let blocked = false

  for (let i = 0; i < replicas; i++) {
    const p = byOrdinal.get(i)
    if (p && p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp) {
      actions.push({ type: 'deletePod', name: p.metadata.name ?? '', reason: 'failed' })
      if (!parallel) { blocked = true; break }
      continue
    }
    if (!p) {
      for (const t of set.spec.volumeClaimTemplates ?? []) {
        const cn = claimName(t.metadata.name ?? '', setName, i)
        if (claims.has(cn)) continue
        actions.push({
          type: 'createClaim',
          pod: `${setName}-${i}`,
          claim: {
            apiVersion: 'v1', kind: 'PersistentVolumeClaim',
            metadata: { name: cn, namespace: set.metadata.namespace, labels: { ...(set.spec.selector.matchLabels ?? {}), ...(t.metadata.labels ?? {}) }, ...(t.metadata.annotations ? { annotations: t.metadata.annotations } : {}) },
            spec: structuredClone(t.spec),
          },
        })
      }
      actions.push({ type: 'createPod', pod: statefulPod(set, i, owner, hash) })
      if (!parallel) { blocked = true; break }
      continue
    }
    if (!parallel && !runningReady(p)) { blocked = true; break }
  }

  // Scale down: highest ordinal first, only when every remaining pod is healthy (OrderedReady).
  const extra = [...byOrdinal.keys()].filter((o) => o >= replicas).sort((a, b) => b - a)
  if (extra.length > 0 && (parallel || !blocked)) {
    const healthy = [...byOrdinal.values()].every((p) => runningReady(p) || p.metadata.deletionTimestamp)
    const list = parallel ? extra : healthy ? extra.slice(0, 1) : []
    for (const o of list) {
      const p = byOrdinal.get(o)!
      if (!p.metadata.deletionTimestamp) actions.push({ type: 'deletePod', name: p.metadata.name ?? '', reason: 'scale-down' })
    }
    if (!parallel) blocked = true
  }

  // Rolling update: replace the highest-ordinal outdated pod once everything else is healthy.
  if (!blocked && set.spec.updateStrategy?.type !== 'OnDelete') {
    const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0
    const all = [...byOrdinal.entries()].filter(([o]) => o < replicas).sort((a, b) => b[0] - a[0])
    if (all.every(([, p]) => runningReady(p))) {
      const target = all.find(([o, p]) => o >= partition && p.metadata.labels?.[REVISION_LABEL] !== hash)
      if (target) actions.push({ type: 'deletePod', name: target[1].metadata.name ?? '', reason: 'update' })
    }
  }

  const live = [...byOrdinal.values()].filter((p) => !p.metadata.deletionTimestamp)
  const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === hash).length
  const ready = live.filter(isPodReady).length
  return {
    actions,
    status: {
      replicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      currentRevision: `${setName}-${hash}`,
      updateRevision: `${setName}-${hash}`,
      observedGeneration: set.metadata.generation ?? 0,
    },
  }
}
