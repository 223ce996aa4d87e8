// The topology schema (apiVersion actorkube/v1, kind Topology): every field, its type and its
// default. Cross-field rules (unique names, CIDR ranges, lease ordering) live in check.ts.
import { z } from 'zod'
import { bool, dnsLabel, dnsSubdomain, duration, int, labels, num, obj, oneOf, port, quantity, str, taint } from './fields.ts'
import { faultEntry } from './faults.ts'

export const API_VERSION = 'actorkube/v1'

const raft = obj({
  heartbeatMs: duration(1).default(50),
  electionTimeoutMs: z.tuple([duration(1), duration(1)], { error: "expected [min, max], e.g. ['300ms', '600ms']" }).default([300, 600]),
  snapshotEntries: int(1).default(10_000),
  historyRevisions: int(1).default(10_000),
})

const shard = obj({
  name: dnsLabel(),
  replicas: int(1).default(3),
  resources: z.array(str('expected a resource name (plural, e.g. "events")'), { error: 'expected a list of resource names' }).default([]),
  raft: raft.prefault({}),
})

const etcd = obj({
  shards: z
    .array(shard, { error: 'expected a list of shards' })
    .min(1, { error: 'expected at least one shard' })
    .prefault([{ name: 'main' }, { name: 'events', resources: ['events'] }]),
})

const apiservers = obj({
  count: int(1).default(2),
  http: obj({
    host: str().default('127.0.0.1'),
    /** The load balancer's port (what kubectl talks to). */
    port: port().default(6443),
    /** Instance i listens on instancePortBase + i; 0 = any free port. */
    instancePortBase: port().default(0),
  }).prefault({}),
  /** kube-apiserver --token-auth-file format; relative to the topology file. */
  tokenFile: str().optional(),
  watchCacheSize: int(1).default(1000),
  requestTimeoutMs: duration(1).default(60_000),
  /** kube-apiserver --max-requests-inflight: non-mutating requests served at once per instance; 0 = no limit. */
  maxRequestsInflight: int(0).default(400),
  /** kube-apiserver --max-mutating-requests-inflight: writes served at once per instance; 0 = no limit. */
  maxMutatingRequestsInflight: int(0).default(200),
})

const lease = obj({
  leaseDurationMs: duration(1).default(2000),
  renewDeadlineMs: duration(1).default(1500),
  retryPeriodMs: duration(1).default(500),
})

const scheduler = obj({
  count: int(0).default(2),
  schedulerName: str().default('default-scheduler'),
  /** 0 = adaptive, as kube-scheduler's default. */
  percentageOfNodesToScore: int(0, 100).default(0),
  lease: lease.prefault({}),
})

const controllerManager = obj({
  count: int(0).default(2),
  lease: lease.prefault({}),
  nodeMonitorGracePeriodMs: duration(1).default(8000),
  podEvictionTimeoutMs: duration(0).default(10_000),
  resyncMs: duration(1).default(30_000),
})

const capacity = obj({
  cpu: quantity().default('4'),
  memory: quantity().default('8Gi'),
  pods: quantity().default('110'),
})

const nodeRuntime = () => oneOf(['sim', 'process'])

const nodeTimings = obj({
  nodeStatusUpdateMs: duration(1).default(2000),
  nodeStatusReportMs: duration(1).default(300_000),
  nodeLeaseDurationMs: duration(1).default(4000),
  nodeLeaseRenewMs: duration(1).default(1000),
  crashLoopBackoff: obj({
    initialMs: duration(1).default(1000),
    maxMs: duration(1).default(30_000),
    resetMs: duration(1).default(60_000),
  }).prefault({}),
})

const explicitNode = obj({
  name: dnsSubdomain(),
  /** Missing fields are taken from the nodes section. */
  capacity: obj({ cpu: quantity().optional(), memory: quantity().optional(), pods: quantity().optional() }).optional(),
  labels: labels().optional(),
  taints: z.array(taint(), { error: 'expected a list of taints' }).optional(),
  runtime: nodeRuntime().optional(),
})

const nodes = obj({
  /** Generated nodes <namePrefix>0 .. <namePrefix><count-1>; default 3, or 0 when `list` is given. */
  count: int(0).optional(),
  namePrefix: z.string({ error: 'expected a string' }).regex(/^[a-z0-9]([a-z0-9.-]*)?$/, { error: "expected a lowercase prefix of letters, digits, '-' and '.'" }).default('node-'),
  capacity: capacity.prefault({}),
  labels: labels().default({}),
  taints: z.array(taint(), { error: 'expected a list of taints' }).default([]),
  runtime: nodeRuntime().default('sim'),
  timings: nodeTimings.prefault({}),
  list: z.array(explicitNode, { error: 'expected a list of nodes' }).default([]),
})

/** The ranges a topology gets when its file names none; when another cluster on the machine holds
 *  them, a new one moves to the next free pair (runtime/host/net-claim.ts). */
export const DEFAULT_NETWORK = { podCIDR: '127.244.0.0/16', serviceCIDR: '127.96.0.0/16' } as const

const network = obj({
  podCIDR: str('expected a CIDR such as 127.244.0.0/16').default(DEFAULT_NETWORK.podCIDR),
  serviceCIDR: str('expected a CIDR such as 127.96.0.0/16').default(DEFAULT_NETWORK.serviceCIDR),
  /** Allow ranges outside 127.0.0.0/8 (off: all traffic stays on the loopback). */
  allowNonLoopback: bool().default(false),
})

const kubeProxy = obj({
  mode: oneOf(['random', 'round-robin', 'least-connections']).default('random'),
})

const listenAddon = (enabled: boolean, p: number) =>
  obj({ enabled: bool().default(enabled), host: str().default('127.0.0.1'), port: port().default(p) })

const addons = obj({
  dns: obj({
    enabled: bool().default(true),
    host: str().default('127.0.0.1'),
    port: port().default(10053),
    clusterDomain: dnsSubdomain().default('cluster.local'),
    ttlSeconds: int(0).default(30),
  }).prefault({}),
  dashboard: listenAddon(true, 8001).prefault({}),
  ingress: listenAddon(false, 8080).prefault({}),
})

const placement = obj({
  /** Each control-plane instance on a thread of its own (false: one thread per component). */
  controlPlaneThreadPerInstance: bool().default(true),
  nodesPerThread: int(1).default(100),
  /**
   * Each worker thread's V8 old generation limit in MiB (0: V8's default for this machine's
   * memory, about a quarter of it up to 4 GiB). Under 2,048 V8 also lets a heap grow less past
   * its live data before collecting. A thread that needs more exits and is restarted.
   */
  threadMaxOldGenerationMb: int(0).default(1536),
  /**
   * Each worker thread's V8 young generation limit in MiB (0: V8's default, 48 on 64-bit: two
   * 16 MiB semi-spaces that stay resident in every busy thread).
   */
  threadMaxYoungGenerationMb: int(0).default(12),
})

const supervision = obj({
  strategy: oneOf(['one_for_one', 'one_for_all', 'rest_for_one']).default('one_for_one'),
  intensity: int(0).default(10),
  periodMs: duration(1).default(30_000),
  backoff: obj({
    initialMs: duration(0).default(10),
    maxMs: duration(0).default(5000),
    jitter: num(0, 1).default(0.2),
  }).prefault({}),
  heartbeatMs: duration(1).default(100),
  hangTimeoutMs: duration(1).default(800),
})

const storage = obj({
  dataDir: str().default('.actorkube'),
  mode: oneOf(['disk', 'memory']).default('disk'),
  fsync: bool().default(true),
})

export const topologySchema = obj(
  {
    apiVersion: z.literal(API_VERSION, { error: `expected "${API_VERSION}"` }),
    kind: z.literal('Topology', { error: 'expected "Topology"' }),
    metadata: obj({ name: dnsSubdomain().default('actorkube') }).prefault({}),
    etcd: etcd.prefault({}),
    apiservers: apiservers.prefault({}),
    scheduler: scheduler.prefault({}),
    controllerManager: controllerManager.prefault({}),
    nodes: nodes.prefault({}),
    network: network.prefault({}),
    kubeProxy: kubeProxy.prefault({}),
    addons: addons.prefault({}),
    placement: placement.prefault({}),
    supervision: supervision.prefault({}),
    storage: storage.prefault({}),
    faults: z.array(faultEntry(), { error: 'expected a list of faults' }).default([]),
  },
  'a topology document (apiVersion, kind, ...)',
)

export type TopologyDocument = z.output<typeof topologySchema>
