// Scenario assertions (pure): each spec judged against what the run observed.
import type { HaEvent, LeaderGap } from './ha-tracker.ts'
import type { AssertionResult } from './report.ts'
import type { AssertionSpec } from './scenario.ts'
import type { WorkloadFacts } from './workload.ts'

export interface RunFacts {
  /** Derived failovers and overlaps (HaTracker.events). */
  ha: HaEvent[]
  /** Leaderless periods (HaTracker.gaps). */
  gaps: LeaderGap[]
  /** etcd shard -> term -> replicas that claimed leadership in that term. */
  etcdLeaders: Map<string, Map<number, Set<string>>>
  /** When the last fault hit (or the workload was applied, with no faults). */
  lastFaultAt: number
  workload: WorkloadFacts
}

/** A short stable name for an assertion (reports, exit messages). */
export function assertionName(a: AssertionSpec): string {
  if ('deploymentAvailable' in a) return `deploymentAvailable ${a.deploymentAvailable.namespace}/${a.deploymentAvailable.name} within ${a.deploymentAvailable.within} ms`
  if ('failoverGap' in a) return `failoverGap ${a.failoverGap.component} <= ${a.failoverGap.maxMs} ms`
  if ('noAcknowledgedWriteLost' in a) return 'noAcknowledgedWriteLost'
  if ('noPodRanTwice' in a) return 'noPodRanTwice'
  if ('singleLeader' in a) return `singleLeader ${a.singleLeader === true ? 'all' : a.singleLeader.component ?? 'all'}`
  return `etcdTermChanges ${a.etcdTermChanges.shard} <= ${a.etcdTermChanges.max}`
}

function judge(a: AssertionSpec, f: RunFacts): { passed: boolean; detail: string } {
  if ('deploymentAvailable' in a) {
    const { name, namespace, within } = a.deploymentAvailable
    const samples = f.workload.deployments.get(`${namespace}/${name}`) ?? []
    const again = samples.find((s) => s.time >= f.lastFaultAt && s.available)
    if (!again) return { passed: false, detail: `never Available after ${f.lastFaultAt} (${samples.length} samples)` }
    const after = again.time - f.lastFaultAt
    return { passed: after <= within, detail: `Available ${after} ms after the last fault` }
  }
  if ('failoverGap' in a) {
    const { component, maxMs } = a.failoverGap
    const gaps = f.gaps.filter((g) => g.component === component).map((g) => g.gapMs)
    const failovers = f.ha.filter((e) => e.event === 'ha.failover' && e.component === component).length
    const worst = gaps.length ? Math.max(...gaps) : 0
    return { passed: worst <= maxMs, detail: gaps.length ? `${gaps.length} leaderless period(s) (${failovers} failover(s) to another instance), max gap ${Math.round(worst)} ms` : 'never without a leader' }
  }
  if ('noAcknowledgedWriteLost' in a) {
    const w = f.workload
    if (!w.readBack) return { passed: false, detail: `could not read back ${w.acked.length} acknowledged writes` }
    return { passed: w.lost.length === 0, detail: w.lost.length ? `lost ${w.lost.length} of ${w.acked.length}: ${w.lost.slice(0, 5).join(', ')}` : `${w.acked.length} acknowledged writes all read back` }
  }
  if ('noPodRanTwice' in a) {
    const moved = [...f.workload.podNodes.entries()].filter(([, nodes]) => nodes.size > 1).map(([uid, nodes]) => `${uid} on ${[...nodes].join('+')}`)
    const bad = [...moved, ...f.workload.doubleRunning.map((n) => `${n} running twice`)]
    return { passed: bad.length === 0, detail: bad.length ? bad.slice(0, 5).join('; ') : `${f.workload.podNodes.size} pods, each on one node` }
  }
  if ('singleLeader' in a) {
    const only = a.singleLeader === true ? undefined : a.singleLeader.component
    const bad: string[] = []
    for (const e of f.ha) {
      if (e.event !== 'ha.overlap' || e.component.startsWith('etcd/')) continue
      if (only === undefined || only === e.component) bad.push(`${e.component}: ${e.from ?? ''} and ${e.to} at ${e.time}`)
    }
    for (const [shard, terms] of f.etcdLeaders) {
      if (only !== undefined && only !== `etcd/${shard}`) continue
      for (const [term, ids] of terms) if (ids.size > 1) bad.push(`etcd/${shard} term ${term}: ${[...ids].join(', ')}`)
    }
    return { passed: bad.length === 0, detail: bad.length ? bad.slice(0, 5).join('; ') : 'one leader at a time (etcd: per term)' }
  }
  const { shard, max } = a.etcdTermChanges
  const terms = [...(f.etcdLeaders.get(shard)?.keys() ?? [])]
  const changes = Math.max(0, terms.length - 1)
  return { passed: changes <= max, detail: `${changes} term change(s) (terms ${terms.sort((x, y) => x - y).join(', ') || 'none'})` }
}

export function evaluate(specs: AssertionSpec[], f: RunFacts): AssertionResult[] {
  return specs.map((a) => ({ name: assertionName(a), ...judge(a, f) }))
}
