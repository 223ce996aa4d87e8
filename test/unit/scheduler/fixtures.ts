// Builders for scheduler tests.
import type { Node, Pod, Taint } from '../../../protocols/k8s.ts'

export function node(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; ready?: boolean; unschedulable?: boolean } = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' }
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  }
}

export function pod(name: string, o: { cpu?: string; memory?: string; nodeName?: string; labels?: Record<string, string>; owner?: string; spec?: Partial<Pod['spec']>; hostPort?: number } = {}): Pod {
  const requests: Record<string, string> = {}
  if (o.cpu) requests.cpu = o.cpu
  if (o.memory) requests.memory = o.memory
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', labels: o.labels ?? {}, uid: `uid-${name}`,
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx', resources: { requests }, ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort }] } : {}) }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.spec ?? {}),
    },
  }
}
