// Run a scenario in the deterministic Simulation: the topology's actors, the workload from a
// driver actor (client-lab), the fault timeline in virtual time, HA tracking from the actors'
// reports, then the assertions. Same scenario + seed -> same run.
import type { ActorReport } from '../actor.ts'
import { createApiClient } from '../../actors/client/api-client.ts'
import { expandFault } from './expand.ts'
import { evaluate, type RunFacts } from './assertions.ts'
import { haRecord } from './ha-log.ts'
import { HaTracker, groupOf } from './ha-tracker.ts'
import type { AssertionResult, ReportData } from './report.ts'
import type { Scenario } from './scenario.ts'
import { SimFaults } from './sim-faults.ts'
import { startSimCluster } from './sim-cluster.ts'
import { Workload } from './workload.ts'

export interface LabEvent {
  time: number
  event: string
  [k: string]: unknown
}

export interface RunResult {
  report: ReportData
  events: LabEvent[]
  passed: boolean
  failed: AssertionResult[]
}

const FAULT_RETRY_MS = 100
const FAULT_RETRIES = 30
const READ_BACK_TIMEOUT_MS = 30_000

export async function runScenarioSim(s: Scenario, seed: number): Promise<RunResult> {
  const tracker = new HaTracker()
  const events: LabEvent[] = []
  const etcdLeaders = new Map<string, Map<number, Set<string>>>()
  const record = (ev: LabEvent) => void events.push(ev)
  const late: { faults?: SimFaults } = {}
  const start = 1_700_000_000_000
  const rel = (t: number) => t - start

  const onReport = (id: string, r: ActorReport, now: number) => {
    const leader = r.info?.leader
    if (typeof leader !== 'boolean') return
    const ev = tracker.leadership(id, leader, now, r.info)
    if (ev) record({ ...haRecord(ev), time: now } as LabEvent)
    const group = groupOf(id, r.info)
    const term = r.info?.term
    if (leader && group?.startsWith('etcd/') && typeof term === 'number') {
      const shard = group.slice(5)
      const terms = etcdLeaders.get(shard) ?? new Map<number, Set<string>>()
      etcdLeaders.set(shard, terms)
      const ids = terms.get(term) ?? new Set<string>()
      if (!ids.has(id)) record({ time: now, event: 'raft.leader.elected', shard, term, id })
      ids.add(id)
      terms.set(term, ids)
    }
  }
  const c = await startSimCluster(s.topology, {
    seed,
    startTime: start,
    traceDeliveries: false,
    onReport,
    onCrash: (id) => late.faults?.crashed(id),
  })
  const { sim } = c
  const faults = new SimFaults(c, { down: (id, t) => tracker.down(id, t), record })
  late.faults = faults
  const rejected: AssertionResult[] = []

  const apiservers = c.ids.filter((id) => id.startsWith('apiserver-'))
  const api = createApiClient(sim.client('client-lab'), { apiservers })
  const workload = new Workload(api, { now: () => sim.now(), after: (ms, fn) => sim.at(ms, fn) }, s)
  workload.start()

  s.faults.forEach((tf, i) => {
    const attempt = (left: number) => {
      try {
        faults.inject(expandFault(tf.fault))
      } catch (err) {
        if (left > 0) return sim.at(FAULT_RETRY_MS, () => attempt(left - 1))
        const msg = (err as Error).message
        record({ time: sim.now(), event: 'fault.rejected', index: i, kind: tf.fault.kind, err: msg })
        rejected.push({ name: `faults[${i}] ${tf.fault.kind} applied`, passed: false, detail: msg })
      }
    }
    sim.at(tf.atMs, () => attempt(FAULT_RETRIES))
  })

  await sim.run(s.durationMs)
  faults.healAll()
  workload.stopWrites()
  await sim.run(s.settleMs)
  let done = false
  void workload.readBack().finally(() => (done = true))
  await sim.runUntil(() => done, READ_BACK_TIMEOUT_MS)
  faults.end()
  const end = sim.now()
  tracker.finish(end)

  const lastFaultAt = start + (s.faults.length ? Math.max(...s.faults.map((f) => f.atMs)) : s.applyAtMs)
  const facts: RunFacts = { ha: tracker.events, gaps: tracker.gaps, etcdLeaders, lastFaultAt, workload: workload.facts }
  const assertions = [...rejected, ...evaluate(s.assertions, facts)]
  const report: ReportData = {
    scenario: s.name,
    mode: 'sim',
    seed,
    startedAt: start,
    endedAt: end,
    intervals: tracker.intervals,
    failovers: tracker.events,
    faults: faults.faults,
    restarts: faults.restarts,
    assertions,
  }
  const failed = assertions.filter((a) => !a.passed)
  return { report, events: events.map((e) => ({ ...e, time: Math.round(rel(e.time)) })), passed: failed.length === 0, failed }
}
