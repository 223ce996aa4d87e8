// Run a scenario in real time: the topology on worker threads through the Supervisor, the
// workload over the apiservers' HTTP gateways from this process, the fault timeline through
// Supervisor.inject, HA tracking from the supervisor's 'report'/'event' streams.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import type { Fault } from '../faults/types.ts'
import { buildPlan, planChildren } from '../../actors/plan.ts'
import { claimTopologyNetwork } from '../host/net-claim.ts'
import { liveApiserverEndpoints } from '../cli/up.ts'
import { evaluate, type RunFacts } from './assertions.ts'
import { expandFault } from './expand.ts'
import { attachHaLog, haRecord } from './ha-log.ts'
import { groupOf } from './ha-tracker.ts'
import { httpApi } from './http-api.ts'
import type { FaultMark, ReportData, RestartMark } from './report.ts'
import type { LabEvent, RunResult } from './run-sim.ts'
import type { Scenario } from './scenario.ts'
import { Workload } from './workload.ts'

const REGISTRY = new URL('../../actors/registry.ts', import.meta.url).href
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export async function runScenarioReal(s: Scenario, opts: { dataDir?: string; signal?: AbortSignal; log?: (line: string) => void; logger?: pino.Logger } = {}): Promise<RunResult> {
  const say = opts.log ?? (() => {})
  const dir = await mkdtemp(join(opts.dataDir ?? tmpdir(), `scenario-${s.name}-`)).catch(async () => mkdtemp(join(tmpdir(), `scenario-${s.name}-`)))
  const { topology, claim } = await claimTopologyNetwork(s.topology).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true })
    throw err
  })
  const plan = buildPlan(topology, { dataDir: dir })
  const ids = planChildren(plan).map((c) => c.spec.id)
  const logger = opts.logger ?? pino({ level: 'silent' })
  const { Supervisor } = await import('../host/supervisor.ts')
  const sup = new Supervisor(plan, { registry: REGISTRY, logger, io: true })
  const events: LabEvent[] = []
  const faults: FaultMark[] = []
  const restarts: RestartMark[] = []
  const etcdLeaders = new Map<string, Map<number, Set<string>>>()
  const tracker = attachHaLog(sup, logger, { onHa: (ev) => events.push({ ...haRecord(ev), time: ev.time } as LabEvent) })
  sup.on('event', (rec) => {
    if (rec.event === 'actor.restarted') restarts.push({ time: rec.time, id: String(rec.actor), downtimeMs: Number(rec.downtimeMs) })
    if (/^(actor\.|fault\.|raft\.|lease\.)/.test(rec.event)) events.push(rec)
  })
  sup.on('report', (id, r) => {
    const group = groupOf(id, r.info)
    if (r.info?.leader === true && group?.startsWith('etcd/') && typeof r.info.term === 'number') {
      const terms = etcdLeaders.get(group.slice(5)) ?? new Map<number, Set<string>>()
      etcdLeaders.set(group.slice(5), terms)
      terms.set(r.info.term, (terms.get(r.info.term) ?? new Set<string>()).add(id))
    }
  })
  const timers: Array<ReturnType<typeof setTimeout>> = []
  const rejected: RunResult['failed'] = []
  try {
    await sup.start()
    const start = Date.now()
    say(`scenario ${s.name}: cluster started (${ids.length} actors), running ${s.durationMs} ms`)
    const endpoints = () => liveApiserverEndpoints(plan, sup.status()).map((e) => `http://${e.host}:${e.port}`)
    const api = httpApi(endpoints, { token: s.topology.tokens?.[0]?.token })
    const workload = new Workload(api, { now: () => Date.now(), after: (ms, fn) => void timers.push(setTimeout(fn, ms)) }, s)
    workload.start()
    s.faults.forEach((tf, i) => {
      timers.push(setTimeout(() => {
        const f: Fault = expandFault(tf.fault)
        const full = f.kind === 'partition' && f.b.includes('*') ? { ...f, b: ids.filter((x) => !f.a.includes(x)) } : f
        try {
          const r = sup.inject(full)
          faults.push({ time: Date.now(), kind: f.kind, target: r.targets.join(','), ...(f.durationMs !== undefined ? { healedAt: Date.now() + f.durationMs } : {}) })
          say(`  ${Date.now() - start} ms: ${f.kind} ${r.targets.join(',')}`)
        } catch (err) {
          rejected.push({ name: `faults[${i}] ${f.kind} applied`, passed: false, detail: (err as Error).message })
        }
      }, tf.atMs))
    })
    await Promise.race([sleep(s.durationMs), new Promise((r) => opts.signal?.addEventListener('abort', r, { once: true }))])
    for (const t of timers.splice(0)) clearTimeout(t)
    sup.heal()
    workload.stopWrites()
    await sleep(s.settleMs)
    await workload.readBack()
    const end = Date.now()
    tracker.finish(end)
    const lastFaultAt = start + (s.faults.length ? Math.max(...s.faults.map((f) => f.atMs)) : s.applyAtMs)
    const facts: RunFacts = { ha: tracker.events, gaps: tracker.gaps, etcdLeaders, lastFaultAt, workload: workload.facts }
    const assertions = [...rejected, ...evaluate(s.assertions, facts)]
    const report: ReportData = { scenario: s.name, mode: 'real', startedAt: start, endedAt: end, intervals: tracker.intervals, failovers: tracker.events, faults, restarts, assertions }
    const failed = assertions.filter((a) => !a.passed)
    return { report, events: events.map((e) => ({ ...e, time: e.time - start })), passed: failed.length === 0, failed }
  } finally {
    for (const t of timers) clearTimeout(t)
    await sup.stop()
    await claim.release()
    await rm(dir, { recursive: true, force: true })
  }
}
