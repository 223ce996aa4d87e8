// Pure: the Node object and node Lease the kubelet writes.
import type { Lease, Node, NodeCondition } from '../../protocols/k8s.ts'
import type { NodeConfig } from '../args.ts'

export const KUBELET_VERSION = 'v1.32.0'

const iso = (ms: number): string => new Date(ms).toISOString()
/** metav1.MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number): string => iso(ms).replace('Z', '000Z')

const CONDITIONS: Array<[string, 'True' | 'False', string, string]> = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
]

/** The kubelet's own view of its conditions, keeping lastTransitionTime when unchanged. */
export function nodeConditions(now: number, previous: NodeCondition[] | undefined): NodeCondition[] {
  return CONDITIONS.map(([type, status, reason, message]) => {
    const prev = previous?.find((c) => c.type === type)
    const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : iso(now)
    return { type, status, lastHeartbeatTime: iso(now), lastTransitionTime, reason, message }
  })
}

/**
 * Does `next` say anything the node's status `prev` (as the API holds it) does not, in the
 * fields the kubelet owns? Heartbeat times alone are no change (kubelet's nodeStatusHasChanged).
 */
export function nodeStatusChanged(prev: NonNullable<Node['status']> | undefined, next: NonNullable<Node['status']>): boolean {
  if (!prev) return true
  const strip = (s: NonNullable<Node['status']>) => [
    s.capacity, s.allocatable, s.addresses, s.daemonEndpoints, s.nodeInfo,
    s.conditions?.map(({ lastHeartbeatTime: _, ...c }) => c),
  ]
  return JSON.stringify(strip(prev)) !== JSON.stringify(strip(next))
}

export function nodeStatus(cfg: NodeConfig, hostIP: string, now: number, previous?: NodeCondition[]): NonNullable<Node['status']> {
  const resources = { cpu: cfg.capacity.cpu, memory: cfg.capacity.memory, pods: cfg.capacity.pods, 'ephemeral-storage': '100Gi' }
  return {
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: nodeConditions(now, previous),
    addresses: [
      { type: 'InternalIP', address: hostIP },
      { type: 'Hostname', address: cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: cfg.name,
      systemUUID: cfg.name,
      bootID: cfg.name,
      kernelVersion: 'actorkube',
      osImage: 'actorkube',
      containerRuntimeVersion: `actorkube-${cfg.runtime}://0.1.0`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  }
}

export function nodeObject(cfg: NodeConfig, hostIP: string, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.name,
      labels: {
        'kubernetes.io/hostname': cfg.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        ...cfg.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      podCIDR: cfg.podCIDR,
      podCIDRs: [cfg.podCIDR],
      ...(cfg.taints.length > 0 ? { taints: cfg.taints.map((t) => ({ ...t })) } : {}),
    },
    status: nodeStatus(cfg, hostIP, now),
  }
}

export function nodeLease(node: string, uid: string | undefined, durationMs: number, now: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node,
      namespace: 'kube-node-lease',
      ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid }] } : {}),
    },
    spec: { holderIdentity: node, leaseDurationSeconds: Math.max(1, Math.round(durationMs / 1000)), renewTime: microTime(now) },
  }
}
