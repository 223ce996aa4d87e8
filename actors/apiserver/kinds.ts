// The kinds this API server serves: the table the registry, the watch cache and the HTTP
// gateway's discovery all read.

export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'finalize' | 'eviction'

export interface KindInfo {
  group: string
  version: string
  kind: string
  /** Plural, lower-case: the resource name in URLs and etcd keys. */
  plural: string
  singular: string
  shortNames: string[]
  namespaced: boolean
  subresources: Subresource[]
  categories: string[]
  /** Kinds whose spec changes bump metadata.generation. */
  hasSpec: boolean
  listKind: string
}

const k = (group: string, kind: string, plural: string, o: Partial<KindInfo> = {}): KindInfo => ({
  group,
  version: 'v1',
  kind,
  plural,
  singular: kind.toLowerCase(),
  shortNames: [],
  namespaced: true,
  subresources: [],
  categories: [],
  hasSpec: true,
  listKind: `${kind}List`,
  ...o,
})

const all = ['all']

export const KINDS: readonly KindInfo[] = [
  k('', 'Namespace', 'namespaces', { shortNames: ['ns'], namespaced: false, subresources: ['status', 'finalize'] }),
  k('', 'Node', 'nodes', { shortNames: ['no'], namespaced: false, subresources: ['status'] }),
  k('', 'Pod', 'pods', { shortNames: ['po'], subresources: ['status', 'binding', 'log', 'eviction'], categories: all }),
  k('', 'Binding', 'bindings', { hasSpec: false }),
  k('', 'Service', 'services', { shortNames: ['svc'], subresources: ['status'], categories: all }),
  k('', 'Endpoints', 'endpoints', { shortNames: ['ep'], hasSpec: false, singular: 'endpoints' }),
  k('', 'Event', 'events', { shortNames: ['ev'], hasSpec: false }),
  k('', 'ConfigMap', 'configmaps', { shortNames: ['cm'], hasSpec: false }),
  k('', 'Secret', 'secrets', { hasSpec: false }),
  k('', 'ServiceAccount', 'serviceaccounts', { shortNames: ['sa'], hasSpec: false }),
  k('', 'PersistentVolume', 'persistentvolumes', { shortNames: ['pv'], namespaced: false, subresources: ['status'] }),
  k('', 'PersistentVolumeClaim', 'persistentvolumeclaims', { shortNames: ['pvc'], subresources: ['status'] }),
  k('', 'ReplicationController', 'replicationcontrollers', { shortNames: ['rc'], subresources: ['status', 'scale'], categories: all }),
  k('apps', 'Deployment', 'deployments', { shortNames: ['deploy'], subresources: ['status', 'scale'], categories: all }),
  k('apps', 'ReplicaSet', 'replicasets', { shortNames: ['rs'], subresources: ['status', 'scale'], categories: all }),
  k('apps', 'DaemonSet', 'daemonsets', { shortNames: ['ds'], subresources: ['status'], categories: all }),
  k('apps', 'StatefulSet', 'statefulsets', { shortNames: ['sts'], subresources: ['status', 'scale'], categories: all }),
  k('apps', 'ControllerRevision', 'controllerrevisions', { hasSpec: false }),
  k('batch', 'Job', 'jobs', { subresources: ['status'], categories: all }),
  k('coordination.k8s.io', 'Lease', 'leases'),
  k('networking.k8s.io', 'Ingress', 'ingresses', { shortNames: ['ing'], subresources: ['status'] }),
]

const byPlural = new Map(KINDS.map((x) => [`${x.group}/${x.plural}`, x]))

/** The kind served at group/resource (version v1 only), or undefined. */
export function kindFor(group: string, resource: string): KindInfo | undefined {
  return byPlural.get(`${group}/${resource}`)
}

export function apiVersionOf(ki: KindInfo): string {
  return ki.group ? `${ki.group}/${ki.version}` : ki.version
}

/** Kinds that are stored (Binding is a create-only virtual resource). */
export const STORED_KINDS = KINDS.filter((x) => x.plural !== 'bindings')
