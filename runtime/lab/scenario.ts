// Scenario files: parse (YAML or JSON), validate with the field path in every message, resolve
// the topology (inline, a path relative to the scenario, or the default) and the manifests
// (inline or files relative to the scenario), and refuse assertions no run can satisfy.
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseAllDocuments, parseDocument, stringify } from 'yaml'
import { ConfigError } from '../errors.ts'
import { issuesToProblems } from '../topology/issues.ts'
import { EVERYONE, loadTopology, parseTopology, type Fault, type TimedFault, type Topology } from '../topology/index.ts'
import type { KObject } from '../../protocols/k8s.ts'
import { buildPlan, planChildren } from '../../actors/plan.ts'
import { ImpossibleAssertionError, ScenarioError } from './errors.ts'
import { scenarioSchema, type AssertionSpec, type ScenarioDocument } from './scenario-schema.ts'

export type { AssertionSpec } from './scenario-schema.ts'

export interface Scenario {
  name: string
  description?: string
  source: string
  topology: Topology
  durationMs: number
  settleMs: number
  manifests: KObject[]
  applyAtMs: number
  writes?: { perSecond: number; namespace: string; prefix: string }
  faults: TimedFault[]
  assertions: AssertionSpec[]
}

/** 'rest' on one side of a partition means every actor not on the other side. */
function expandRest(f: Fault): Fault {
  if (f.kind !== 'partition') return f
  const rest = (xs: string[]) => (xs.length === 1 && xs[0] === 'rest' ? [EVERYONE] : xs)
  return { ...f, a: rest(f.a), b: rest(f.b) }
}

function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length) {
    const e = doc.errors[0]
    const where = e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : ''
    throw new ScenarioError(source, [{ path: '', message: `expected YAML or JSON${where}: ${e.message.split('\n')[0]}` }])
  }
  return doc.toJS()
}

/** Validate a scenario document; `readText` reads files named relative to the scenario. */
export async function parseScenario(text: string, source: string, baseDir: string, readText: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<Scenario> {
  const raw = parseYaml(text, source)
  const parsed = scenarioSchema.safeParse(raw ?? {}, { reportInput: true })
  if (!parsed.success) throw new ScenarioError(source, issuesToProblems(scenarioSchema as unknown as Parameters<typeof issuesToProblems>[0], parsed.error.issues))
  const d: ScenarioDocument = parsed.data
  const topology = await resolveTopology(d, source, baseDir)
  const manifests: KObject[] = []
  for (const [i, m] of d.workload.manifests.entries()) {
    if (typeof m !== 'string') {
      manifests.push(checkObject(m, source, `workload.manifests[${i}]`))
      continue
    }
    const file = resolve(baseDir, m)
    let body: string
    try {
      body = await readText(file)
    } catch {
      throw new ScenarioError(source, [{ path: `workload.manifests[${i}]`, message: `expected a readable manifest file, got "${file}"` }])
    }
    for (const doc of parseAllDocuments(body)) {
      if (Array.isArray(doc)) continue
      const obj: unknown = doc.toJS()
      if (obj != null) manifests.push(checkObject(obj, source, `workload.manifests[${i}] (${m})`))
    }
  }
  const s: Scenario = {
    name: d.metadata.name,
    description: d.metadata.description,
    source,
    topology,
    durationMs: d.duration,
    settleMs: d.settle,
    manifests,
    applyAtMs: d.workload.applyAt,
    writes: d.workload.writes,
    faults: d.faults.map((f) => ({ ...f, fault: expandRest(f.fault) })),
    assertions: d.assertions,
  }
  checkTargets(s)
  checkFeasible(s)
  return s
}

export async function loadScenario(path: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError('', `cannot read scenario file ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? String(err)}`)
  }
  return parseScenario(text, path, dirname(path))
}

async function resolveTopology(d: ScenarioDocument, source: string, baseDir: string): Promise<Topology> {
  if (d.topology === undefined) return loadTopology()
  if (typeof d.topology === 'string') return loadTopology(resolve(baseDir, d.topology))
  return parseTopology(stringify(d.topology), `${source} (topology)`)
}

function checkObject(o: unknown, source: string, path: string): KObject {
  const k = o as Partial<KObject>
  if (typeof o !== 'object' || o === null || typeof k.apiVersion !== 'string' || typeof k.kind !== 'string' || typeof k.metadata?.name !== 'string') {
    throw new ScenarioError(source, [{ path, message: 'expected a Kubernetes object with apiVersion, kind and metadata.name' }])
  }
  return o as KObject
}

const DYNAMIC = /^(leader|random|node|thread):/

/** Static fault targets must name actors of the topology. */
function checkTargets(s: Scenario): void {
  const ids = new Set(actorNames(s.topology))
  const problems: Array<{ path: string; message: string }> = []
  s.faults.forEach((tf, i) => {
    const f = tf.fault as unknown as Record<string, unknown>
    for (const field of ['target', 'a', 'b', 'from', 'to']) {
      const v = f[field]
      for (const t of typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : []) {
        if (t === EVERYONE || DYNAMIC.test(t) || ids.has(t)) continue
        problems.push({ path: `faults[${i}].${field === 'target' ? tf.fault.kind : field}`, message: `unknown target "${t}"; valid: ${[...ids].join(', ')}, leader:<role>, leader:etcd/<shard>, random:<role>, node:<name>` })
      }
    }
  })
  if (problems.length) throw new ScenarioError(s.source, problems)
}

/** The actor names a topology starts (the plan's children). */
export function actorNames(t: Topology): string[] {
  return planChildren(buildPlan(t, { sim: true })).map((c) => c.spec.id)
}

/**
 * The shortest failover gap the topology's timings allow: a standby takes a lease only after it
 * expires (leaseDuration after the last renewal, which came at most retryPeriod before the
 * leader died); a Raft follower campaigns only after its election timeout.
 */
export function minimumGapMs(t: Topology, component: string): number | undefined {
  const lease = component === 'scheduler' ? t.scheduler.lease : component === 'controller-manager' ? t.controllerManager.lease : undefined
  if (lease) return Math.max(0, lease.leaseDurationMs - lease.retryPeriodMs)
  const shard = component.startsWith('etcd/') ? t.etcd.shards.find((s) => s.name === component.slice(5)) : undefined
  if (shard) return Math.max(0, shard.raft.electionTimeoutMs[0] - shard.raft.heartbeatMs)
  return undefined
}

function checkFeasible(s: Scenario): void {
  s.assertions.forEach((a, i) => {
    if (!('failoverGap' in a)) return
    const { component, maxMs } = a.failoverGap
    const min = minimumGapMs(s.topology, component)
    if (min === undefined) {
      throw new ScenarioError(s.source, [{ path: `assertions[${i}].failoverGap.component`, message: `expected scheduler, controller-manager or etcd/<shard> of the topology (${s.topology.etcd.shards.map((x) => `etcd/${x.name}`).join(', ')}), got "${component}"` }])
    }
    if (maxMs < min) {
      const why = component.startsWith('etcd/')
        ? `a follower campaigns only after its election timeout (min electionTimeout - heartbeat = ${min} ms)`
        : `a standby takes over only after the lease expires (leaseDuration - retryPeriod = ${min} ms after the leader's last renewal)`
      throw new ImpossibleAssertionError(`${s.source}: assertions[${i}] failoverGap ${component} < ${maxMs} ms cannot hold: ${why}`)
    }
  })
}
