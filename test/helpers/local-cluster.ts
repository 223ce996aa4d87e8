// A whole cluster in the test's own thread, in real time (runtime/local.ts), from a topology:
// the same actors and args the supervisor would start on worker threads, with real I/O.
import type { ActorSpec, Ctx } from '../../runtime/actor.ts'
import { LocalSystem } from '../../runtime/local.ts'
import { nodeIo } from '../../runtime/io/node-io.ts'
import type { LogRecord } from '../../runtime/log.ts'
import { MemDisk } from '../../runtime/sim/mem-disk.ts'
import { isSupervisorSpec, type ChildSpec, type ClusterPlan, type SupervisorSpec } from '../../runtime/plan.ts'
import { parseTopology } from '../../runtime/topology/index.ts'
import { buildPlan } from '../../actors/plan.ts'
import { claimTopologyNetwork } from '../../runtime/host/net-claim.ts'
import { actorKinds } from '../../actors/registry.ts'

export interface LocalCluster {
  sys: LocalSystem
  /** The HTTP port of apiserver-<i>. */
  apiPort(i?: number): number
  logs: LogRecord[]
  /** The pod and service ranges the cluster got. */
  network: { podCIDR: string; serviceCIDR: string }
  stop(): Promise<void>
}

export function planLeaves(s: SupervisorSpec): ChildSpec[] {
  return s.children.flatMap((c) => (isSupervisorSpec(c) ? planLeaves(c) : [c]))
}

/** A LocalSystem with real I/O whose log records are kept (bounded) and errors printed. */
export function localSystem(opts: { printLogs?: boolean } = {}): { sys: LocalSystem; logs: LogRecord[] } {
  const logs: LogRecord[] = []
  const sys = new LocalSystem({
    io: nodeIo(),
    onLog: (r) => {
      logs.push(r)
      if (logs.length > 20_000) logs.splice(0, 10_000)
      if (opts.printLogs || r.level === 'error' || process.env.ACTORKUBE_TEST_LOGS) console.error(JSON.stringify({ level: r.level, ...r.bindings, msg: r.msg, ...r.obj }))
    },
  })
  return { sys, logs }
}

/** Spawn every actor of the plan in `sys`; `argsFor` may replace an actor's args. */
export async function spawnPlan(sys: LocalSystem, plan: ClusterPlan, argsFor: (spec: ActorSpec) => unknown = (s) => s.args): Promise<void> {
  for (const c of planLeaves(plan.root)) {
    const factory = await actorKinds[c.spec.kind]!()
    const args = argsFor(c.spec)
    sys.spawn(c.spec.id, (ctx: Ctx) => factory(ctx, args), { disk: c.spec.storage ? new MemDisk() : undefined })
  }
}

/** A regular expression source for the first two octets of a /16 (or wider) range, dot included: "127\\.245\\.". */
export function rangePrefix(cidr: string): string {
  return cidr.split('.').slice(0, 2).join('\\.') + '\\.'
}

/** The HTTP port apiserver-<i> reported once listening. */
export function reportedApiPort(sys: LocalSystem, i = 0): number {
  const info = sys.reports.get(`apiserver-${i}`)?.info as Record<string, unknown> | undefined
  const p = info?.httpPort ?? info?.port
  if (typeof p !== 'number') throw new Error(`apiserver-${i} has not reported its HTTP port (info: ${JSON.stringify(info)})`)
  return p
}

/** One etcd replica per shard, one of each control-plane component, two sim nodes, no add-ons, in memory. */
export function smallTopology(name: string): string {
  return `apiVersion: actorkube/v1
kind: Topology
metadata: { name: ${name} }
etcd:
  shards:
    - { name: main, replicas: 1 }
    - { name: events, replicas: 1, resources: [events] }
apiservers: { count: 1 }
scheduler: { count: 1 }
controllerManager: { count: 1 }
nodes: { count: 2 }
addons:
  dns: { enabled: false }
  dashboard: { enabled: false }
storage: { mode: memory, fsync: false }
`
}

export async function startLocalCluster(topologyYaml: string, opts: { printLogs?: boolean } = {}): Promise<LocalCluster> {
  // Ranges no other cluster on the machine holds: kube-proxy listens on ClusterIPs for real.
  const { topology, claim } = await claimTopologyNetwork(parseTopology(topologyYaml, 'test topology'))
  const plan = buildPlan(topology)
  const { sys, logs } = localSystem(opts)
  await spawnPlan(sys, plan)
  return {
    sys, apiPort: (i = 0) => reportedApiPort(sys, i), logs, network: { podCIDR: claim.podCIDR, serviceCIDR: claim.serviceCIDR }, stop: async () => {
      await sys.shutdown()
      await claim.release()
    },
  }
}
