// Pod predicates and pod construction from a template, as the workload controllers need them.
import type { ObjectMeta, OwnerReference, Pod, PodTemplateSpec } from '../../protocols/k8s.ts'
import { isDeleting } from './owners.ts'

/** Not finished and not being deleted (controller.FilterActivePods). */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !isDeleting(p)
}

export function isPodReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
}

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'Ready')
  if (!c || c.status !== 'True') return false
  if (minReadySeconds <= 0) return true
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now
}

/** A pod object for `create`, from a template (controller.GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, namespace: string, generateName: string, owner: OwnerReference, extraLabels: Record<string, string> = {}, name?: string): Pod {
  const tm = template.metadata ?? {}
  const metadata: ObjectMeta = {
    namespace,
    labels: { ...(tm.labels ?? {}), ...extraLabels },
    annotations: { ...(tm.annotations ?? {}) },
    ownerReferences: [owner],
  }
  if (name) metadata.name = name
  else metadata.generateName = generateName
  if (Object.keys(metadata.annotations ?? {}).length === 0) delete metadata.annotations
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec) }
}

/** Slow-start batch sizes for creating `n` objects: 1, 2, 4, ... (controller.slowStartBatch). */
export function slowStartBatches(n: number, initial = 1): number[] {
  const out: number[] = []
  let size = Math.max(1, initial)
  let left = n
  while (left > 0) {
    const b = Math.min(size, left)
    out.push(b)
    left -= b
    size *= 2
  }
  return out
}
