// A whole cluster in the test's own thread, in real time (runtime/local.ts), from a topology:
// the same actors and args the supervisor would start on worker threads, with real I/O.
import type { Ctx } from '../../runtime/actor.ts'
import { LocalSystem } from '../../runtime/local.ts'
import { nodeIo } from '../../runtime/io/node-io.ts'
import type { LogRecord } from '../../runtime/log.ts'
import { MemDisk } from '../../runtime/sim/mem-disk.ts'
import { isSupervisorSpec, type ChildSpec, type SupervisorSpec } from '../../runtime/plan.ts'
import { parseTopology } from '../../runtime/topology/index.ts'
import { buildPlan } from '../../actors/plan.ts'
import { actorKinds } from '../../actors/registry.ts'

export interface LocalCluster {
  sys: LocalSystem
  /** The HTTP port of apiserver-<i>. */
  apiPort(i?: number): number
  logs: LogRecord[]
  stop(): Promise<void>
}

function children(s: SupervisorSpec): ChildSpec[] {
  return s.children.flatMap((c) => (isSupervisorSpec(c) ? children(c) : [c]))
}

export async function startLocalCluster(topologyYaml: string, opts: { printLogs?: boolean } = {}): Promise<LocalCluster> {
  const topology = parseTopology(topologyYaml, 'test topology')
  const plan = buildPlan(topology)
  const logs: LogRecord[] = []
  const sys = new LocalSystem({
    io: nodeIo(),
    onLog: (r) => {
      logs.push(r)
      if (logs.length > 20_000) logs.splice(0, 10_000)
      if (opts.printLogs || r.level === 'error') console.error(JSON.stringify({ level: r.level, ...r.bindings, msg: r.msg, ...r.obj }))
    },
  })
  for (const c of children(plan.root)) {
    const factory = await actorKinds[c.spec.kind]!()
    sys.spawn(c.spec.id, (ctx: Ctx) => factory(ctx, c.spec.args), { disk: c.spec.storage ? new MemDisk() : undefined })
  }
  const apiPort = (i = 0) => {
    const info = sys.reports.get(`apiserver-${i}`)?.info as Record<string, unknown> | undefined
    const p = info?.httpPort ?? info?.port
    if (typeof p !== 'number') throw new Error(`apiserver-${i} has not reported its HTTP port (info: ${JSON.stringify(info)})`)
    return p
  }
  return { sys, apiPort, logs, stop: () => sys.shutdown() }
}
