// The cluster plan: which actors a topology needs, their args (actors/args.ts), the thread that
// hosts each, and the supervision tree. Pure: topology in, plan out.
//   ids:     etcd-<shard>-<i>  apiserver-<i>  scheduler-<i>  controller-manager-<i>
//            kubelet@<node>  kube-proxy@<node>  dns-0  ingress-0  dashboard-0
//   threads: one per control-plane instance (named like the actor), node agents packed
//            nodesPerThread per thread (nodes-0, nodes-1, ...), add-ons on 'addons'.
//   tree:    root (one_for_one) -> a supervisor per etcd shard and per component.
import type { ActorSpec } from '../runtime/actor.ts'
import type { Backoff, ChildSpec, ClusterPlan, SupervisorSpec } from '../runtime/plan.ts'
import { isSupervisorSpec } from '../runtime/plan.ts'
import type { Topology } from '../runtime/topology/index.ts'
import type {
  ApiServerArgs, ControllerManagerArgs, DashboardArgs, DnsArgs, EtcdArgs, IngressArgs, KubeletArgs, KubeProxyArgs, SchedulerArgs,
} from './args.ts'

export interface PlanOptions {
  /** For the simulator: no HTTP listeners, no real TCP proxying. */
  sim?: boolean
  /** Overrides topology storage.dataDir (the CLI's --data-dir). */
  dataDir?: string
  /** The supervisor's control endpoint, given to the dashboard. */
  controlUrl?: string
}

/** `apiservers` rotated so that the component with index `i` prefers apiserver i mod n. */
export function preferredApiservers(apiservers: string[], i: number): string[] {
  const n = apiservers.length
  if (n === 0) return []
  const k = ((i % n) + n) % n
  return [...apiservers.slice(k), ...apiservers.slice(0, k)]
}

export function buildPlan(t: Topology, opts: PlanOptions = {}): ClusterPlan {
  const sim = opts.sim ?? false
  const perInstance = t.placement.controlPlaneThreadPerInstance
  const sv = t.supervision
  const backoff: Backoff = { ...sv.backoff }
  const child = (spec: ActorSpec, thread: string): ChildSpec => ({ spec, thread, restart: 'permanent', backoff })
  const supervisor = (id: string, children: ChildSpec[]): SupervisorSpec => ({
    id, strategy: sv.strategy, intensity: sv.intensity, periodMs: sv.periodMs, children,
  })

  // etcd: one supervisor per shard
  const shards: Record<string, string[]> = {}
  const resourceShards: Record<string, string> = {}
  const etcdSups = t.etcd.shards.map((s) => {
    const members = Array.from({ length: s.replicas }, (_, i) => `etcd-${s.name}-${i}`)
    shards[s.name] = members
    for (const r of s.resources) resourceShards[r] = s.name
    return supervisor(`etcd-${s.name}`, members.map((id) => {
      const args: EtcdArgs = {
        shard: s.name,
        members,
        heartbeatMs: s.raft.heartbeatMs,
        electionTimeoutMs: [s.raft.electionTimeoutMs[0], s.raft.electionTimeoutMs[1]],
        snapshotEntries: s.raft.snapshotEntries,
        historyRevisions: s.raft.historyRevisions,
        storage: t.storage.mode,
        fsync: t.storage.fsync,
      }
      return child({ id, kind: 'etcd', args, restart: 'permanent', storage: t.storage.mode }, perInstance ? id : `etcd-${s.name}`)
    }))
  })

  // apiservers
  const a = t.apiservers
  const apiIds = Array.from({ length: a.count }, (_, i) => `apiserver-${i}`)
  const apiSup = supervisor('apiservers', apiIds.map((id, i) => {
    const args: ApiServerArgs = {
      index: i,
      shards,
      resourceShards,
      defaultShard: t.defaultShard,
      serviceCIDR: t.network.serviceCIDR,
      watchCacheSize: a.watchCacheSize,
      requestTimeoutMs: a.requestTimeoutMs,
      maxRequestsInflight: a.maxRequestsInflight,
      maxMutatingRequestsInflight: a.maxMutatingRequestsInflight,
      // Pods tolerate an unreachable node for the topology's eviction timeout.
      defaultTolerationSeconds: Math.max(1, Math.round(t.controllerManager.podEvictionTimeoutMs / 1000)),
      advertise: { host: a.http.host, port: a.http.port },
    }
    if (!sim) args.http = { host: a.http.host, port: a.http.instancePortBase > 0 ? a.http.instancePortBase + i : 0 }
    if (t.tokens) args.tokens = t.tokens.map((x) => ({ ...x, groups: [...x.groups] }))
    return child({ id, kind: 'apiserver', args, restart: 'permanent' }, perInstance ? id : 'apiservers')
  }))

  const lease = (l: Topology['scheduler']['lease']) => ({ leaseDurationMs: l.leaseDurationMs, renewDeadlineMs: l.renewDeadlineMs, retryPeriodMs: l.retryPeriodMs })

  const schedSup = supervisor('schedulers', Array.from({ length: t.scheduler.count }, (_, i) => {
    const id = `scheduler-${i}`
    const args: SchedulerArgs = {
      apiservers: preferredApiservers(apiIds, i),
      lease: lease(t.scheduler.lease),
      schedulerName: t.scheduler.schedulerName,
      percentageOfNodesToScore: t.scheduler.percentageOfNodesToScore,
    }
    return child({ id, kind: 'scheduler', args, restart: 'permanent' }, perInstance ? id : 'schedulers')
  }))

  const cm = t.controllerManager
  const cmSup = supervisor('controller-managers', Array.from({ length: cm.count }, (_, i) => {
    const id = `controller-manager-${i}`
    const args: ControllerManagerArgs = {
      apiservers: preferredApiservers(apiIds, i),
      lease: lease(cm.lease),
      nodeMonitorGracePeriodMs: cm.nodeMonitorGracePeriodMs,
      podEvictionTimeoutMs: cm.podEvictionTimeoutMs,
      resyncMs: cm.resyncMs,
    }
    return child({ id, kind: 'controller-manager', args, restart: 'permanent' }, perInstance ? id : 'controller-managers')
  }))

  // node agents, packed nodesPerThread per thread
  const nt = t.nodes.timings
  const nodeChildren: ChildSpec[] = []
  t.nodeList.forEach((n, i) => {
    const thread = `nodes-${Math.floor(i / t.placement.nodesPerThread)}`
    const apiservers = preferredApiservers(apiIds, i)
    const kubelet: KubeletArgs = {
      apiservers,
      node: {
        name: n.name,
        capacity: { ...n.capacity },
        labels: { ...n.labels },
        taints: n.taints.map((x) => ({ ...x })),
        podCIDR: n.podCIDR,
        runtime: n.runtime,
      },
      nodeStatusUpdateMs: nt.nodeStatusUpdateMs,
      nodeStatusReportMs: nt.nodeStatusReportMs,
      nodeLeaseDurationMs: nt.nodeLeaseDurationMs,
      nodeLeaseRenewMs: nt.nodeLeaseRenewMs,
      crashLoopBackoff: { ...nt.crashLoopBackoff },
    }
    const proxy: KubeProxyArgs = { apiservers: [...apiservers], node: n.name, mode: t.kubeProxy.mode, proxyTcp: !sim }
    nodeChildren.push(child({ id: `kubelet@${n.name}`, kind: 'kubelet', args: kubelet, restart: 'permanent' }, thread))
    nodeChildren.push(child({ id: `kube-proxy@${n.name}`, kind: 'kube-proxy', args: proxy, restart: 'permanent' }, thread))
  })

  // add-ons on one thread
  const ad = t.addons
  const addonChildren: ChildSpec[] = []
  if (ad.dns.enabled) {
    const args: DnsArgs = {
      apiservers: preferredApiservers(apiIds, 0),
      listen: { host: ad.dns.host, port: ad.dns.port },
      clusterDomain: ad.dns.clusterDomain,
      ttlSeconds: ad.dns.ttlSeconds,
    }
    addonChildren.push(child({ id: 'dns-0', kind: 'dns', args, restart: 'permanent' }, 'addons'))
  }
  if (ad.ingress.enabled) {
    const args: IngressArgs = { apiservers: preferredApiservers(apiIds, 1), listen: { host: ad.ingress.host, port: ad.ingress.port } }
    addonChildren.push(child({ id: 'ingress-0', kind: 'ingress', args, restart: 'permanent' }, 'addons'))
  }
  if (ad.dashboard.enabled) {
    const args: DashboardArgs = { apiservers: preferredApiservers(apiIds, 2), listen: { host: ad.dashboard.host, port: ad.dashboard.port } }
    if (opts.controlUrl && !sim) args.controlUrl = opts.controlUrl
    addonChildren.push(child({ id: 'dashboard-0', kind: 'dashboard', args, restart: 'permanent' }, 'addons'))
  }

  // Start order: etcd, apiservers, then the components that need them.
  const children: SupervisorSpec[] = [...etcdSups, apiSup, schedSup, cmSup]
  if (nodeChildren.length) children.push(supervisor('nodes', nodeChildren))
  if (addonChildren.length) children.push(supervisor('addons', addonChildren))
  const dataDir = opts.dataDir ?? t.storage.dataDir
  return {
    root: { id: 'root', strategy: 'one_for_one', intensity: sv.intensity, periodMs: sv.periodMs, children: children.filter((c) => c.children.length > 0) },
    heartbeatMs: sv.heartbeatMs,
    hangTimeoutMs: sv.hangTimeoutMs,
    ...threadHeap(t.placement),
    dataDir: `${dataDir.replace(/\/+$/, '')}/data`,
    fsync: t.storage.fsync,
  }
}

/** The plan's thread heap limits: only those the topology sets (0 leaves V8's default). */
function threadHeap(p: Topology['placement']): Pick<ClusterPlan, 'threadHeap'> {
  const limits = {
    ...(p.threadMaxOldGenerationMb > 0 ? { maxOldGenerationSizeMb: p.threadMaxOldGenerationMb } : {}),
    ...(p.threadMaxYoungGenerationMb > 0 ? { maxYoungGenerationSizeMb: p.threadMaxYoungGenerationMb } : {}),
  }
  return Object.keys(limits).length ? { threadHeap: limits } : {}
}

/** Every actor of the plan, depth-first in start order. */
export function planChildren(plan: ClusterPlan): ChildSpec[] {
  const out: ChildSpec[] = []
  const walk = (s: SupervisorSpec) => {
    for (const c of s.children) {
      if (isSupervisorSpec(c)) walk(c)
      else out.push(c)
    }
  }
  walk(plan.root)
  return out
}

export interface ApiserverEndpoint {
  id: string
  host: string
  /** 0 = the instance picks a free port and reports it once listening. */
  port: number
}

/** The apiservers' HTTP listeners, for the load balancer. */
export function apiserverEndpoints(plan: ClusterPlan): ApiserverEndpoint[] {
  return planChildren(plan)
    .filter((c) => c.spec.kind === 'apiserver' && (c.spec.args as ApiServerArgs).http)
    .map((c) => {
      const http = (c.spec.args as ApiServerArgs).http!
      return { id: c.spec.id, host: http.host, port: http.port }
    })
}

export interface PlanSummary {
  actors: number
  threads: number
  /** kind -> number of actors, in start order. */
  kinds: Array<{ kind: string; count: number }>
  shards: Array<{ name: string; replicas: number }>
  nodes: number
}

export function summarizePlan(plan: ClusterPlan): PlanSummary {
  const all = planChildren(plan)
  const kinds = new Map<string, number>()
  for (const c of all) kinds.set(c.spec.kind, (kinds.get(c.spec.kind) ?? 0) + 1)
  const shardSizes = new Map<string, number>()
  for (const c of all) if (c.spec.kind === 'etcd') {
    const s = (c.spec.args as EtcdArgs).shard
    shardSizes.set(s, (shardSizes.get(s) ?? 0) + 1)
  }
  return {
    actors: all.length,
    threads: new Set(all.map((c) => c.thread)).size,
    kinds: [...kinds].map(([kind, count]) => ({ kind, count })),
    shards: [...shardSizes].map(([name, replicas]) => ({ name, replicas })),
    nodes: kinds.get('kubelet') ?? 0,
  }
}

/** One line for `up`: "18 actors on 14 threads: etcd 6 (main 3, events 3), apiserver 2, ..." */
export function formatPlanSummary(s: PlanSummary): string {
  const parts = s.kinds.map(({ kind, count }) =>
    kind === 'etcd' ? `etcd ${count} (${s.shards.map((x) => `${x.name} ${x.replicas}`).join(', ')})` : `${kind} ${count}`)
  return `${s.actors} actors on ${s.threads} threads: ${parts.join(', ')}`
}
