// The resources the HTTP gateway serves, for routing, discovery, OpenAPI and Tables.
export interface KindInfo {
  group: string
  version: string
  kind: string
  plural: string
  singular: string
  shortNames: string[]
  namespaced: boolean
  subresources: string[]
  categories: string[]
  /** Kinds that are not stored objects (bindings) support only create. */
  createOnly?: boolean
}

const ALL = ['all']
const k = (group: string, version: string, kind: string, plural: string, namespaced: boolean, shortNames: string[] = [], subresources: string[] = [], categories: string[] = []): KindInfo => ({
  group, version, kind, plural, singular: kind.toLowerCase(), shortNames, namespaced, subresources, categories,
})

export const KINDS: readonly KindInfo[] = [
  k('', 'v1', 'Namespace', 'namespaces', false, ['ns'], ['status']),
  k('', 'v1', 'Node', 'nodes', false, ['no'], ['status']),
  k('', 'v1', 'Pod', 'pods', true, ['po'], ['status', 'log', 'binding', 'eviction'], ALL),
  { ...k('', 'v1', 'Binding', 'bindings', true), createOnly: true },
  k('', 'v1', 'Service', 'services', true, ['svc'], ['status'], ALL),
  k('', 'v1', 'Endpoints', 'endpoints', true, ['ep']),
  k('', 'v1', 'Event', 'events', true, ['ev']),
  k('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  k('', 'v1', 'Secret', 'secrets', true),
  k('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  k('', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']),
  k('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']),
  k('', 'v1', 'ReplicationController', 'replicationcontrollers', true, ['rc'], ['status', 'scale'], ALL),
  k('apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], ['status', 'scale'], ALL),
  k('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale'], ALL),
  k('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['status'], ALL),
  k('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale'], ALL),
  k('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  k('batch', 'v1', 'Job', 'jobs', true, [], ['status'], ALL),
  k('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  k('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing'], ['status']),
]

/** Group -> versions served, in discovery order (core group is ''). */
export function groups(kinds: readonly KindInfo[] = KINDS): Array<{ group: string; versions: string[] }> {
  const out: Array<{ group: string; versions: string[] }> = []
  for (const ki of kinds) {
    let g = out.find((x) => x.group === ki.group)
    if (!g) out.push((g = { group: ki.group, versions: [] }))
    if (!g.versions.includes(ki.version)) g.versions.push(ki.version)
  }
  return out
}

export function findKind(group: string, version: string, plural: string, kinds: readonly KindInfo[] = KINDS): KindInfo | undefined {
  return kinds.find((ki) => ki.group === group && ki.version === version && ki.plural === plural)
}

export function kindByName(group: string, kind: string, kinds: readonly KindInfo[] = KINDS): KindInfo | undefined {
  return kinds.find((ki) => ki.group === group && ki.kind === kind)
}

export function apiVersionOf(ki: { group: string; version: string }): string {
  return ki.group ? `${ki.group}/${ki.version}` : ki.version
}

export function verbsOf(ki: KindInfo): string[] {
  if (ki.createOnly) return ['create']
  return ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
}
