// A whole cluster in the deterministic simulator, from a topology: the same actors and args the
// supervisor starts on worker threads, in virtual time with a seed. No real I/O.
import type { Ctx } from '../actor.ts'
import { Simulation, type SimOptions } from '../sim/simulator.ts'
import { isSupervisorSpec, type ChildSpec, type ClusterPlan, type SupervisorSpec } from '../plan.ts'
import { parseTopology, type Topology } from '../topology/index.ts'
import { buildPlan } from '../../actors/plan.ts'
import { actorKinds } from '../../actors/registry.ts'

export interface SimCluster {
  sim: Simulation
  plan: ClusterPlan
  ids: string[]
  /** Child specs by actor id (restart policy and backoff for the scenario runner). */
  specs: Map<string, ChildSpec>
}

export function planChildSpecs(s: SupervisorSpec): ChildSpec[] {
  return s.children.flatMap((c) => (isSupervisorSpec(c) ? planChildSpecs(c) : [c]))
}

/** Start every actor of `topology` (a parsed Topology, or YAML text) in a new Simulation. */
export async function startSimCluster(topology: string | Topology, opts: SimOptions): Promise<SimCluster> {
  const t = typeof topology === 'string' ? parseTopology(topology, 'sim topology') : topology
  const plan = buildPlan(t, { sim: true })
  const sim = new Simulation(opts)
  const ids: string[] = []
  const specs = new Map<string, ChildSpec>()
  for (const c of planChildSpecs(plan.root)) {
    const factory = await actorKinds[c.spec.kind]!()
    sim.spawn(c.spec.id, (ctx: Ctx) => factory(ctx, c.spec.args), { disk: c.spec.storage !== undefined })
    ids.push(c.spec.id)
    specs.set(c.spec.id, c)
  }
  return { sim, plan, ids, specs }
}
