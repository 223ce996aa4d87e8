// The supervision tree as an index: parents, ordered children, and the actors under a node.
import type { ChildSpec, ClusterPlan, SupervisorSpec } from '../plan.ts'
import { isSupervisorSpec } from '../plan.ts'
import type { DecideChild } from './decide.ts'

export interface SupNode {
  spec: SupervisorSpec
  parent: string | undefined
  history: number[]
}

export class SupervisionTree {
  readonly sups = new Map<string, SupNode>()
  readonly actors = new Map<string, ChildSpec>()
  /** Child id (actor or supervisor) -> its supervisor's id. */
  readonly parentOf = new Map<string, string>()
  /** Actor ids in start order (depth first). */
  readonly order: string[] = []
  readonly rootId: string

  constructor(plan: Pick<ClusterPlan, 'root'>) {
    this.rootId = plan.root.id
    this.add(plan.root, undefined)
  }

  private add(s: SupervisorSpec, parent: string | undefined): void {
    if (this.sups.has(s.id) || this.actors.has(s.id)) throw new Error(`duplicate id ${s.id} in the plan`)
    this.sups.set(s.id, { spec: s, parent, history: [] })
    if (parent !== undefined) this.parentOf.set(s.id, parent)
    for (const c of s.children) {
      if (isSupervisorSpec(c)) this.add(c, s.id)
      else {
        if (this.actors.has(c.spec.id) || this.sups.has(c.spec.id)) throw new Error(`duplicate id ${c.spec.id} in the plan`)
        this.actors.set(c.spec.id, c)
        this.parentOf.set(c.spec.id, s.id)
        this.order.push(c.spec.id)
      }
    }
  }

  childrenOf(supId: string): DecideChild[] {
    const n = this.sups.get(supId)
    if (!n) return []
    return n.spec.children.map((c) => (isSupervisorSpec(c) ? { id: c.id, restart: 'permanent' as const } : { id: c.spec.id, restart: c.restart }))
  }

  /** Every actor under a child id (itself if it is an actor), in start order. */
  actorsUnder(id: string): string[] {
    if (this.actors.has(id)) return [id]
    const n = this.sups.get(id)
    if (!n) return []
    return n.spec.children.flatMap((c) => this.actorsUnder(isSupervisorSpec(c) ? c.id : c.spec.id))
  }

  /** Threads named in the plan, in first-use order. */
  threads(): string[] {
    const seen = new Set<string>()
    for (const id of this.order) seen.add((this.actors.get(id) as ChildSpec).thread)
    return [...seen]
  }
}
