// Object builders for the controller table tests.
import type { Deployment, Node, Pod, ReplicaSet } from '../../../protocols/k8s.ts'

export const T0 = Date.parse('2026-01-01T00:00:00Z')
export const iso = (ms: number) => new Date(ms).toISOString()

export function pod(name: string, o: { labels?: Record<string, string>; owner?: { kind: string; name: string; uid: string }; phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never; ready?: boolean; node?: string; ip?: string; created?: number; deleting?: boolean; ns?: string; readySince?: number; ports?: Array<{ name?: string; containerPort: number }>; tolerations?: Pod['spec']['tolerations'] } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: o.ns ?? 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' },
      creationTimestamp: iso(o.created ?? T0),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: o.owner.uid, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: o.ports }], nodeName: o.node, tolerations: o.tolerations },
    status: {
      phase: o.phase ?? 'Running',
      podIP: o.ip,
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: iso(o.readySince ?? T0) }],
    },
  }
}

export function rs(name: string, o: { replicas?: number; uid?: string; owner?: string; image?: string; revision?: number; available?: number; statusReplicas?: number; created?: number; hash?: string } = {}): ReplicaSet {
  const hash = o.hash ?? name.split('-').pop() ?? ''
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, namespace: 'default', uid: o.uid ?? `uid-${name}`, generation: 1, creationTimestamp: iso(o.created ?? T0),
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: o.revision !== undefined ? { 'deployment.kubernetes.io/revision': String(o.revision) } : {},
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
    },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
    },
    status: { replicas: o.statusReplicas ?? o.replicas ?? 3, readyReplicas: o.available ?? o.replicas ?? 3, availableReplicas: o.available ?? o.replicas ?? 3 },
  }
}

export function deployment(o: { replicas?: number; image?: string; strategy?: Deployment['spec']['strategy']; paused?: boolean; history?: number; generation?: number } = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
      strategy: o.strategy,
      paused: o.paused,
      revisionHistoryLimit: o.history,
    },
  }
}

export function node(name: string, o: { ready?: 'True' | 'False' | 'Unknown'; taints?: Node['spec']['taints']; labels?: Record<string, string>; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { conditions: o.ready ? [{ type: 'Ready', status: o.ready, lastHeartbeatTime: iso(T0), lastTransitionTime: iso(T0) }] : [] },
  }
}
