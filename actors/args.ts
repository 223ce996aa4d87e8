// The arguments each component's actor receives from the cluster plan (actors/plan.ts builds
// them from the topology). Times are in milliseconds.
import type { ResolvedNode } from '../runtime/topology/index.ts'

export interface LeaseTimings {
  leaseDurationMs: number
  renewDeadlineMs: number
  retryPeriodMs: number
}

export interface EtcdArgs {
  shard: string
  /** Every replica of the shard, this one included: ['etcd-main-0', 'etcd-main-1', ...]. */
  members: string[]
  heartbeatMs: number
  electionTimeoutMs: [number, number]
  /** Take a snapshot and compact the Raft log every this many applied entries. */
  snapshotEntries: number
  /** MVCC history kept for watches before automatic compaction (revisions). */
  historyRevisions: number
  storage: 'disk' | 'memory'
  /** fsync before acknowledging (false only for throwaway runs). */
  fsync: boolean
}

export interface ApiServerArgs {
  index: number
  /** Shard name -> its replica addresses. */
  shards: Record<string, string[]>
  /** Resource (plural, e.g. 'events') -> shard; everything else goes to `defaultShard`. */
  resourceShards: Record<string, string>
  defaultShard: string
  /** Service ClusterIP range, e.g. '127.96.0.0/16'. */
  serviceCIDR: string
  /** Serve the Kubernetes REST API on this address (absent in the simulator). */
  http?: { host: string; port: number }
  /** Static bearer tokens (kube-apiserver --token-auth-file format), already read. */
  tokens?: Array<{ token: string; user: string; uid: string; groups: string[] }>
  /** Events kept per kind in the watch cache. */
  watchCacheSize: number
  requestTimeoutMs: number
  /** Non-mutating requests served at once (kube-apiserver --max-requests-inflight); beyond, 429. 0 or absent: no limit. */
  maxRequestsInflight?: number
  /** Writes served at once (--max-mutating-requests-inflight); beyond, 429. 0 or absent: no limit. */
  maxMutatingRequestsInflight?: number
  /** Tolerations of the not-ready/unreachable taints added to new pods (s); default 300. */
  defaultTolerationSeconds?: number
  /** Where clients reach the API (the load balancer): the `kubernetes` Service's endpoint. */
  advertise?: { host: string; port: number }
}

export interface ComponentArgs {
  /** API server actor addresses, in the order this component prefers them. */
  apiservers: string[]
}

export interface SchedulerArgs extends ComponentArgs {
  lease: LeaseTimings
  schedulerName: string
  percentageOfNodesToScore: number
}

export interface ControllerManagerArgs extends ComponentArgs {
  lease: LeaseTimings
  /** A node whose kubelet has not renewed within this goes NotReady/Unknown. */
  nodeMonitorGracePeriodMs: number
  /** Default toleration of not-ready/unreachable taints before eviction. */
  podEvictionTimeoutMs: number
  /** Informers re-list this often. */
  resyncMs: number
}

/** One node of the topology, as the topology resolves it (a podCIDR of its own, defaults filled in). */
export type NodeConfig = ResolvedNode

export interface KubeletArgs extends ComponentArgs {
  node: NodeConfig
  nodeStatusUpdateMs: number
  /**
   * An unchanged node status is written at most this often (kubelet's nodeStatusReportFrequency,
   * 5 min by default): the node Lease is the heartbeat. Absent: 300000.
   */
  nodeStatusReportMs?: number
  /** Node Lease duration and renew interval (kube-node-lease). */
  nodeLeaseDurationMs: number
  nodeLeaseRenewMs: number
  /** CrashLoopBackOff: initial delay, cap, and the running time after which it resets. */
  crashLoopBackoff: { initialMs: number; maxMs: number; resetMs: number }
  /** Where process-runtime containers keep logs, relative to the kubelet's disk (if any). */
}

export interface KubeProxyArgs extends ComponentArgs {
  node: string
  mode: 'random' | 'round-robin' | 'least-connections'
  /** Carry real TCP for ClusterIPs (process runtime); off in the simulator. */
  proxyTcp: boolean
}

export interface DnsArgs extends ComponentArgs {
  listen: { host: string; port: number }
  clusterDomain: string
  ttlSeconds: number
}

export interface IngressArgs extends ComponentArgs {
  listen: { host: string; port: number }
}

export interface DashboardArgs extends ComponentArgs {
  listen: { host: string; port: number }
  /** Loopback control endpoint of the supervisor (chaos buttons, actor status). */
  controlUrl?: string
}
