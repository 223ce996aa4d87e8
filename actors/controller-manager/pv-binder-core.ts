// PersistentVolume binding decisions: a pending claim binds to the smallest Available volume
// that fits (capacity, access modes, storage class, volume mode, label selector); with none, the
// local provisioner makes one. A bound volume whose claim is gone is Released, and deleted when
// its reclaim policy says so. Pure.
import { selectorIsEmpty, selectorMatches } from './labels.ts'
import { quantityOrNaN } from '../../protocols/quantity.ts'
import type { PersistentVolume, PersistentVolumeClaim } from './workload-types.ts'

export const PROVISIONER = 'actorkube.io/local'
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by'
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed'
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller'

const request = (c: PersistentVolumeClaim) => quantityOrNaN(c.spec.resources?.requests?.storage ?? 0)
const capacity = (v: PersistentVolume) => quantityOrNaN(v.spec.capacity?.storage ?? 0)

export function volumeFits(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  if (v.metadata.deletionTimestamp) return false
  const ref = v.spec.claimRef
  if (ref && !(ref.namespace === c.metadata.namespace && ref.name === c.metadata.name && (!ref.uid || ref.uid === c.metadata.uid))) return false
  if (!ref && v.status?.phase && v.status.phase !== 'Available' && v.status.phase !== 'Pending') return false
  if (!(capacity(v) >= request(c))) return false
  const modes = v.spec.accessModes ?? []
  if (!(c.spec.accessModes ?? []).every((m) => modes.includes(m))) return false
  if ((v.spec.storageClassName ?? '') !== (c.spec.storageClassName ?? '')) return false
  if ((v.spec.volumeMode ?? 'Filesystem') !== (c.spec.volumeMode ?? 'Filesystem')) return false
  if (!selectorIsEmpty(c.spec.selector) && !selectorMatches(c.spec.selector, v.metadata.labels)) return false
  return true
}

export type ClaimAction =
  | { type: 'none' }
  | { type: 'bind'; volume: string }
  | { type: 'provision'; volume: PersistentVolume }
  /** The claim names a volume that now points at it: mark the claim Bound. */
  | { type: 'markBound'; volume: string }

export function decideClaim(c: PersistentVolumeClaim, volumes: PersistentVolume[], dataDir = '.actorkube/volumes'): ClaimAction {
  if (c.metadata.deletionTimestamp) return { type: 'none' }
  if (c.spec.volumeName) {
    const v = volumes.find((x) => x.metadata.name === c.spec.volumeName)
    if (c.status?.phase === 'Bound') return { type: 'none' }
    if (v && v.spec.claimRef?.uid === c.metadata.uid) return { type: 'markBound', volume: v.metadata.name ?? '' }
    if (v && volumeFits(v, c)) return { type: 'bind', volume: v.metadata.name ?? '' }
    return { type: 'none' }
  }
  // A volume pre-bound to this claim wins, then the smallest fitting one.
  const pre = volumes.find((v) => v.spec.claimRef?.uid === c.metadata.uid || (v.spec.claimRef?.namespace === c.metadata.namespace && v.spec.claimRef?.name === c.metadata.name && !v.spec.claimRef?.uid))
  if (pre && volumeFits(pre, c)) return { type: 'bind', volume: pre.metadata.name ?? '' }
  const fits = volumes.filter((v) => !v.spec.claimRef && volumeFits(v, c)).sort((a, b) => capacity(a) - capacity(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
  if (fits.length > 0) return { type: 'bind', volume: fits[0]!.metadata.name ?? '' }
  if (!c.metadata.uid) return { type: 'none' }
  const name = `pvc-${c.metadata.uid}`
  return {
    type: 'provision',
    volume: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [ANN_PROVISIONED_BY]: PROVISIONER } },
      spec: {
        capacity: { storage: c.spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: c.spec.accessModes ?? ['ReadWriteOnce'],
        storageClassName: c.spec.storageClassName ?? '',
        volumeMode: c.spec.volumeMode ?? 'Filesystem',
        persistentVolumeReclaimPolicy: 'Delete',
        hostPath: { path: `${dataDir}/${name}`, type: 'DirectoryOrCreate' },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid },
      },
    },
  }
}

export type VolumeAction = { type: 'none' } | { type: 'phase'; phase: 'Available' | 'Bound' | 'Released' } | { type: 'delete' }

/** `claim`: the claim the volume's claimRef names, if it exists (same uid). */
export function decideVolume(v: PersistentVolume, claim: PersistentVolumeClaim | undefined): VolumeAction {
  if (v.metadata.deletionTimestamp) return { type: 'none' }
  const ref = v.spec.claimRef
  const phase = v.status?.phase
  if (!ref) return phase === 'Available' ? { type: 'none' } : { type: 'phase', phase: 'Available' }
  if (claim && (!ref.uid || claim.metadata.uid === ref.uid)) {
    if (claim.spec.volumeName === v.metadata.name) return phase === 'Bound' ? { type: 'none' } : { type: 'phase', phase: 'Bound' }
    return { type: 'none' }
  }
  if (!ref.uid) return { type: 'none' } // pre-bound by a user to a claim not created yet
  if ((v.spec.persistentVolumeReclaimPolicy ?? 'Retain') === 'Delete') return { type: 'delete' }
  return phase === 'Released' ? { type: 'none' } : { type: 'phase', phase: 'Released' }
}
