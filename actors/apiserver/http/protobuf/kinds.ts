// The kinds decoded from protobuf bodies: apiVersion + kind -> the top-level message, and the
// compiled registry of every message table.
import { APPS } from './apps-v1.ts'
import { BATCH } from './batch-v1.ts'
import { CORE } from './core-v1.ts'
import { META } from './meta-v1.ts'
import { NETWORKING } from './networking-v1.ts'
import { AUTOSCALING, COORDINATION, POLICY } from './other-groups.ts'
import { compileTables, type MessageTable } from './schema.ts'

export const TABLES: readonly MessageTable[] = [META, CORE, APPS, BATCH, NETWORKING, POLICY, COORDINATION, AUTOSCALING]

export const REGISTRY = compileTables(TABLES)

/** `${apiVersion} ${kind}` -> message. DeleteOptions is accepted under any apiVersion, as client-go sends it. */
export const ROOT_MESSAGES: Readonly<Record<string, string>> = {
  'v1 Namespace': 'Namespace',
  'v1 ConfigMap': 'ConfigMap',
  'v1 Secret': 'Secret',
  'v1 ServiceAccount': 'ServiceAccount',
  'v1 Service': 'Service',
  'v1 Pod': 'Pod',
  'v1 Endpoints': 'Endpoints',
  'v1 Event': 'Event',
  'v1 Binding': 'Binding',
  'v1 ReplicationController': 'ReplicationController',
  'v1 PersistentVolumeClaim': 'PersistentVolumeClaim',
  'apps/v1 Deployment': 'Deployment',
  'apps/v1 ReplicaSet': 'ReplicaSet',
  'apps/v1 DaemonSet': 'DaemonSet',
  'apps/v1 StatefulSet': 'StatefulSet',
  'apps/v1 ControllerRevision': 'ControllerRevision',
  'batch/v1 Job': 'Job',
  'networking.k8s.io/v1 Ingress': 'Ingress',
  'policy/v1 Eviction': 'Eviction',
  'coordination.k8s.io/v1 Lease': 'Lease',
  'autoscaling/v1 Scale': 'Scale',
}

export function rootMessage(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'DeleteOptions'
  return Object.hasOwn(ROOT_MESSAGES, `${apiVersion} ${kind}`) ? ROOT_MESSAGES[`${apiVersion} ${kind}`] : undefined
}

/** The decodable kinds, for error messages: "apps/v1 Deployment, v1 Pod, ...". */
export function decodableKinds(): string {
  return Object.keys(ROOT_MESSAGES).join(', ')
}
