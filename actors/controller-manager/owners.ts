// ownerReferences helpers shared by the workload controllers and the garbage collector.
import type { KObject, OwnerReference } from '../../protocols/k8s.ts'

export function controllerRef(obj: KObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true)
}

export function ownerRefFor(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }
}

export function isOwnedBy(obj: KObject, owner: KObject): boolean {
  return controllerRef(obj)?.uid === owner.metadata.uid
}

export function isDeleting(obj: KObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null
}
