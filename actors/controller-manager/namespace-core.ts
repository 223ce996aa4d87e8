// The Namespace decision: a terminating namespace has its content deleted, then its
// 'kubernetes' finalizer removed. Pure.
import type { Namespace } from './workload-types.ts'
import { isDeleting } from './owners.ts'

export const NAMESPACE_FINALIZER = 'kubernetes'

/** Namespaced resources a terminating namespace is emptied of (events last). */
export const NAMESPACED_RESOURCES = [
  'deployments', 'statefulsets', 'daemonsets', 'jobs', 'replicasets', 'replicationcontrollers',
  'pods', 'services', 'endpoints', 'persistentvolumeclaims', 'configmaps', 'secrets',
  'serviceaccounts', 'controllerrevisions', 'leases', 'ingresses', 'events',
] as const

export type NamespaceAction = { type: 'none' } | { type: 'deleteContent' } | { type: 'finalize'; finalizers: string[] }

export function isTerminating(ns: Namespace): boolean {
  return isDeleting(ns) || ns.status?.phase === 'Terminating'
}

/** `remaining`: objects still in the namespace (counted by the caller after its deletes). */
export function decideNamespace(ns: Namespace, remaining: number): NamespaceAction {
  if (!isTerminating(ns)) return { type: 'none' }
  const fins = ns.spec?.finalizers ?? []
  if (remaining > 0) return { type: 'deleteContent' }
  if (!fins.includes(NAMESPACE_FINALIZER)) return { type: 'none' }
  return { type: 'finalize', finalizers: fins.filter((f) => f !== NAMESPACE_FINALIZER) }
}
