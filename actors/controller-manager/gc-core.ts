// Garbage collection decisions over ownerReferences. Pure: the caller says which owners exist.
//   - every owner gone -> delete the dependent (background);
//   - some owners gone -> drop the dangling references;
//   - an owner deleting with the 'foregroundDeletion' finalizer -> delete its dependents, and
//     remove the finalizer once none with blockOwnerDeletion remain;
//   - an owner deleting with the 'orphan' finalizer -> strip its reference from dependents, then
//     remove the finalizer.
import type { KObject, OwnerReference } from '../../protocols/k8s.ts'
import { isDeleting } from './owners.ts'

export const FOREGROUND = 'foregroundDeletion'
export const ORPHAN = 'orphan'

/** An owner as found by uid: the object, absent, or unknown (a kind this controller does not watch). */
export type OwnerLookup = (ref: OwnerReference, namespace: string | undefined) => KObject | 'absent' | 'unknown'

export type DependentAction =
  | { type: 'none' }
  | { type: 'delete'; propagation: 'Background' | 'Foreground' }
  | { type: 'setOwners'; ownerReferences: OwnerReference[] }

export function decideDependent(obj: KObject, lookup: OwnerLookup): DependentAction {
  const refs = obj.metadata.ownerReferences ?? []
  if (refs.length === 0 || isDeleting(obj)) return { type: 'none' }
  const ns = obj.metadata.namespace
  const keep: OwnerReference[] = []
  let absent = 0
  let foreground = false
  let orphaned = 0
  for (const r of refs) {
    const o = lookup(r, ns)
    if (o === 'absent') {
      absent++
      continue
    }
    if (o !== 'unknown' && isDeleting(o)) {
      const fins = o.metadata.finalizers ?? []
      if (fins.includes(ORPHAN)) {
        orphaned++
        continue
      }
      if (fins.includes(FOREGROUND)) foreground = true
    }
    keep.push(r)
  }
  if (keep.length === 0 && absent > 0) return { type: 'delete', propagation: 'Background' }
  if (foreground && keep.every((r) => {
    const o = lookup(r, ns)
    return o !== 'unknown' && o !== 'absent' && isDeleting(o) && (o.metadata.finalizers ?? []).includes(FOREGROUND)
  })) return { type: 'delete', propagation: 'Foreground' }
  if (absent > 0 || orphaned > 0) return { type: 'setOwners', ownerReferences: keep }
  return { type: 'none' }
}

export type OwnerAction = { type: 'none' } | { type: 'removeFinalizer'; finalizer: string; finalizers: string[] }

/**
 * An owner being deleted with a GC finalizer: remove it once its dependents allow.
 * `dependents` are the objects whose ownerReferences name this owner's uid.
 */
export function decideOwner(owner: KObject, dependents: KObject[]): OwnerAction {
  if (!isDeleting(owner)) return { type: 'none' }
  const fins = owner.metadata.finalizers ?? []
  const uid = owner.metadata.uid
  if (fins.includes(ORPHAN)) {
    if (dependents.length === 0) return { type: 'removeFinalizer', finalizer: ORPHAN, finalizers: fins.filter((f) => f !== ORPHAN) }
    return { type: 'none' }
  }
  if (fins.includes(FOREGROUND)) {
    const blocking = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion))
    if (blocking.length === 0) return { type: 'removeFinalizer', finalizer: FOREGROUND, finalizers: fins.filter((f) => f !== FOREGROUND) }
  }
  return { type: 'none' }
}
