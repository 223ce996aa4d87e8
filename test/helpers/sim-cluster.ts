// A whole cluster in the deterministic simulator, from a topology: the same actors and args the
// supervisor starts on worker threads, in virtual time with a seed. No real I/O.
import type { Ctx } from '../../runtime/actor.ts'
import { Simulation, type SimOptions } from '../../runtime/sim/simulator.ts'
import { isSupervisorSpec, type ChildSpec, type ClusterPlan, type SupervisorSpec } from '../../runtime/plan.ts'
import { parseTopology } from '../../runtime/topology/index.ts'
import { buildPlan } from '../../actors/plan.ts'
import { actorKinds } from '../../actors/registry.ts'

export interface SimCluster {
  sim: Simulation
  plan: ClusterPlan
  ids: string[]
}

export function planChildSpecs(s: SupervisorSpec): ChildSpec[] {
  return s.children.flatMap((c) => (isSupervisorSpec(c) ? planChildSpecs(c) : [c]))
}

export async function startSimCluster(topologyYaml: string, opts: SimOptions): Promise<SimCluster> {
  const plan = buildPlan(parseTopology(topologyYaml, 'sim topology'), { sim: true })
  const sim = new Simulation(opts)
  const ids: string[] = []
  for (const c of planChildSpecs(plan.root)) {
    const factory = await actorKinds[c.spec.kind]!()
    sim.spawn(c.spec.id, (ctx: Ctx) => factory(ctx, c.spec.args), { disk: c.spec.storage !== undefined })
    ids.push(c.spec.id)
  }
  return { sim, plan, ids }
}
