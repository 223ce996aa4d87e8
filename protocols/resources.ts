// The resources actorkube serves, by plural name. Components use these refs with the API client.
import type { ResourceRef } from './api.ts'

const core = (resource: string): ResourceRef => ({ group: '', version: 'v1', resource })
const apps = (resource: string): ResourceRef => ({ group: 'apps', version: 'v1', resource })

export const R = {
  namespaces: core('namespaces'),
  nodes: core('nodes'),
  pods: core('pods'),
  services: core('services'),
  endpoints: core('endpoints'),
  events: core('events'),
  configmaps: core('configmaps'),
  secrets: core('secrets'),
  serviceaccounts: core('serviceaccounts'),
  persistentvolumes: core('persistentvolumes'),
  persistentvolumeclaims: core('persistentvolumeclaims'),
  replicationcontrollers: core('replicationcontrollers'),
  deployments: apps('deployments'),
  replicasets: apps('replicasets'),
  daemonsets: apps('daemonsets'),
  statefulsets: apps('statefulsets'),
  controllerrevisions: apps('controllerrevisions'),
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  ingresses: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
} satisfies Record<string, ResourceRef>

export type ResourceName = keyof typeof R
