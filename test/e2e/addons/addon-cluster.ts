// Shared setup for the add-on end-to-end tests: a one-thread real-time cluster (LocalSystem, as
// test/helpers/local-cluster.ts) whose nodes run the process runtime, with the chosen add-ons
// listening on free ports, and optionally a control endpoint handed to the dashboard.
import type * as Tap from 'tap'
import type { LocalSystem } from '../../../runtime/local.ts'
import type { LogRecord } from '../../../runtime/log.ts'
import { parseTopology } from '../../../runtime/topology/index.ts'
import { buildPlan } from '../../../actors/plan.ts'
import { claimTopologyNetwork } from '../../../runtime/host/net-claim.ts'
import { localSystem, planLeaves, reportedApiPort, spawnPlan } from '../../helpers/local-cluster.ts'
import { kubectlFor, type Kubectl } from '../../helpers/kubectl.ts'

export interface AddonCluster {
  sys: LocalSystem
  k: Kubectl
  logs: LogRecord[]
  /** What an add-on reported in its ready info (listen, url). */
  addonInfo(id: 'dns-0' | 'ingress-0' | 'dashboard-0'): Record<string, unknown>
  /** The pod and service ranges the cluster got. */
  network: { podCIDR: string; serviceCIDR: string }
}

export function addonTopology(opts: { dns?: boolean; ingress?: boolean; dashboard?: boolean; ttl?: number; schedulers?: number; nodes?: number; runtime?: 'sim' | 'process' } = {}): string {
  return `apiVersion: actorkube/v1
kind: Topology
metadata: { name: addons }
etcd:
  shards:
    - { name: main, replicas: 1 }
    - { name: events, replicas: 1, resources: [events] }
apiservers: { count: 1 }
scheduler: { count: ${opts.schedulers ?? 1} }
controllerManager: { count: 1 }
nodes: { count: ${opts.nodes ?? 2}, runtime: ${opts.runtime ?? 'process'} }
addons:
  dns: { enabled: ${opts.dns ?? false}, port: 0, ttlSeconds: ${opts.ttl ?? 30} }
  ingress: { enabled: ${opts.ingress ?? false}, port: 0 }
  dashboard: { enabled: ${opts.dashboard ?? false}, port: 0 }
storage: { mode: memory, fsync: false }
`
}

/**
 * Start the cluster, wait for the API server and the enabled add-ons to report ready, and give
 * back a kubectl bound to it. `sys` is created first and passed to `beforeSpawn`, which may start
 * a control endpoint over it and return its URL for the dashboard.
 */
export async function startAddonCluster(t: Tap.Test, yaml: string, opts: { beforeSpawn?: (sys: LocalSystem, actors: Array<{ id: string; thread: string }>) => Promise<string | undefined> } = {}): Promise<AddonCluster> {
  // Pods listen on their IPs and kube-proxy on ClusterIPs: ranges no other cluster on the machine holds.
  const { topology, claim } = await claimTopologyNetwork(parseTopology(yaml, 'test topology'))
  const plan = buildPlan(topology)
  const { sys, logs } = localSystem()
  t.teardown(async () => {
    await sys.shutdown()
    await claim.release()
  })
  const specs = planLeaves(plan.root)
  const controlUrl = opts.beforeSpawn ? await opts.beforeSpawn(sys, specs.map((c) => ({ id: c.spec.id, thread: c.thread }))) : undefined
  await spawnPlan(sys, plan, (spec) => (spec.kind === 'dashboard' && controlUrl ? { ...(spec.args as object), controlUrl } : spec.args))
  const addons = specs.map((c) => c.spec.id).filter((id) => ['dns-0', 'ingress-0', 'dashboard-0'].includes(id))
  const ready = await sys.waitFor(() => ['apiserver-0', ...addons].every((id) => sys.reports.get(id)?.ready === true), 60_000)
  if (!ready) throw new Error(`cluster not ready: ${JSON.stringify([...sys.reports])} crashes: ${JSON.stringify(sys.crashes)}`)
  const k = await kubectlFor(reportedApiPort(sys))
  t.teardown(() => k.cleanup())
  const addonInfo = (id: string) => (sys.reports.get(id)?.info ?? {}) as Record<string, unknown>
  return { sys, k, logs, addonInfo, network: { podCIDR: claim.podCIDR, serviceCIDR: claim.serviceCIDR } }
}

/** host and port from an add-on's "host:port" listen info. */
export function hostPort(listen: unknown): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(String(listen))
  if (!m) throw new Error(`not a host:port: ${String(listen)}`)
  return { host: m[1] as string, port: Number(m[2]) }
}
