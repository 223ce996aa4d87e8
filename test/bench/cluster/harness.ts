// Start a whole cluster on worker threads the way `actorkube up` does (topology -> buildPlan ->
// Supervisor), plus the benchmark's actors: the driver on a thread of its own, optional fan-out
// watchers on threads of their own, optional memory probes on every thread. No load balancer and
// no kubeconfig: the benchmark talks to the apiservers over the in-cluster protocol.
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import type { MessagePort } from 'node:worker_threads'
import pino from 'pino'
import type { Message } from '../../../runtime/actor.ts'
import { Supervisor, type RuntimeEvent } from '../../../runtime/host/supervisor.ts'
import type { ToWorker } from '../../../runtime/host/protocol.ts'
import type { ChildSpec, ClusterPlan } from '../../../runtime/plan.ts'
import { parseTopology } from '../../../runtime/topology/index.ts'
import { claimTopologyNetwork } from '../../../runtime/host/net-claim.ts'
import { buildPlan, planChildren, preferredApiservers } from '../../../actors/plan.ts'
import type { DriverArgs } from './driver.ts'
import type { ProbeArgs } from './probe.ts'
import type { DriverCmd, DriverReply, MemReply, ReceiptsReply } from './protocol.ts'
import type { WatcherArgs } from './watcher.ts'

// Heaps are compared after a full GC; V8 flags are per process, so threads started from now on
// get `gc` too.
setFlagsFromString('--expose-gc')

const REGISTRY = fileURLToPath(new URL('./registry.ts', import.meta.url))
export const DRIVER = 'client-driver'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Progress lines on stderr (the figures go to stdout). */
export const progress = (s: string) => process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${s}\n`)

/** Node agents' timings: the lab default topology's, or Kubernetes' own defaults (kubelet, kube-controller-manager). */
export const NODE_TIMINGS = {
  lab: { nodeStatusUpdateMs: 2000, nodeLeaseDurationMs: 4000, nodeLeaseRenewMs: 1000, nodeMonitorGracePeriodMs: 8000, podEvictionTimeoutMs: 10_000 },
  kubernetes: { nodeStatusUpdateMs: 10_000, nodeLeaseDurationMs: 40_000, nodeLeaseRenewMs: 10_000, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000 },
} as const

export interface ClusterOptions {
  /** Nodes with a sim-runtime kubelet and a kube-proxy each (0: none). */
  nodes: number
  nodesPerThread: number
  /** placement.threadMaxOldGenerationMb / threadMaxYoungGenerationMb; the topology's defaults when absent. */
  threadOldMb?: number
  threadYoungMb?: number
  timings: keyof typeof NODE_TIMINGS
  capacity: { cpu: string; memory: string; pods: string }
  storage: 'disk' | 'memory'
  /** Nodes registered without kubelets must not be marked NotReady by the node lifecycle controller. */
  nodeMonitorGracePeriodMs?: number
  hangTimeoutMs?: number
  watchers?: { count: number; threads: number; namespace: string; warmupPrefix: string }
  probes?: boolean
  /** API server instances (the topology's default: 2). */
  apiservers?: number
}

export interface BenchCluster {
  sup: Supervisor
  plan: ClusterPlan
  /** When the Supervisor's start() was called (ms since the epoch). */
  startedAt: number
  /** Wall time from the Supervisor's start() to every actor started. */
  startMs: number
  /** Runtime and HA events (lease.*, actor.*, worker.*), kept in order. */
  events: RuntimeEvent[]
  /** Warnings and errors logged by any actor, by message, with counts (cleared by takeWarnings). */
  takeWarnings(): string
  driver(cmd: DriverCmd, timeoutMs: number): Promise<DriverReply>
  /** Each thread's heap (after GC) as its probe reports it; a probe that does not answer within 60 s is left out. */
  memory(): Promise<MemReply[]>
  receipts(): Promise<ReceiptsReply[]>
  /** The instance of `component` (scheduler, controller-manager) that reports holding the lease. */
  leader(component: string): string | undefined
  /** Stop one actor gracefully (its stop hook runs: a leader releases its lease); false if not possible. */
  stopGracefully(id: string): boolean
  waitFor(pred: () => boolean, timeoutMs: number, stepMs?: number): Promise<boolean>
  stop(): Promise<void>
}

export function topologyText(o: ClusterOptions): string {
  const t = NODE_TIMINGS[o.timings]
  const doc = {
    apiVersion: 'actorkube/v1',
    kind: 'Topology',
    metadata: { name: 'bench' },
    ...(o.apiservers ? { apiservers: { count: o.apiservers } } : {}),
    controllerManager: { nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs ?? t.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: t.podEvictionTimeoutMs },
    nodes: {
      count: o.nodes,
      capacity: o.capacity,
      runtime: 'sim',
      timings: { nodeStatusUpdateMs: t.nodeStatusUpdateMs, nodeLeaseDurationMs: t.nodeLeaseDurationMs, nodeLeaseRenewMs: t.nodeLeaseRenewMs },
    },
    // A /24 per node: the default 127.244.0.0/16 holds 256 nodes; /10 holds 16,384.
    network: { podCIDR: o.nodes > 256 ? '127.128.0.0/10' : '127.244.0.0/16' },
    // Fixed ports (DNS 10053, dashboard 8001) would collide with other clusters on the machine;
    // neither is on the measured paths.
    addons: { dns: { enabled: false }, dashboard: { enabled: false }, ingress: { enabled: false } },
    placement: {
      nodesPerThread: o.nodesPerThread,
      ...(o.threadOldMb !== undefined ? { threadMaxOldGenerationMb: o.threadOldMb } : {}),
      ...(o.threadYoungMb !== undefined ? { threadMaxYoungGenerationMb: o.threadYoungMb } : {}),
    },
    supervision: o.hangTimeoutMs ? { hangTimeoutMs: o.hangTimeoutMs } : {},
    storage: { mode: o.storage, fsync: o.storage === 'disk' },
  }
  return JSON.stringify(doc)
}

function benchChildren(plan: ClusterPlan, o: ClusterOptions): ChildSpec[] {
  const all = planChildren(plan)
  const apiIds = all.filter((c) => c.spec.kind === 'apiserver').map((c) => c.spec.id)
  const backoff = { initialMs: 10, maxMs: 1000, jitter: 0.2 }
  const child = (id: string, kind: string, args: unknown, thread: string): ChildSpec => ({ spec: { id, kind, args, restart: 'permanent' }, thread, restart: 'permanent', backoff })
  const out: ChildSpec[] = [child(DRIVER, 'bench-driver', { apiservers: apiIds, requestTimeoutMs: 60_000 } satisfies DriverArgs, 'bench')]
  const w = o.watchers
  if (w) {
    for (let i = 0; i < w.count; i++) {
      const args: WatcherArgs = { apiservers: preferredApiservers(apiIds, i), namespace: w.namespace, warmupPrefix: w.warmupPrefix }
      out.push(child(`client-w-${i}`, 'bench-watcher', args, `bench-watch-${i % w.threads}`))
    }
  }
  if (o.probes) {
    const threads = new Set([...all, ...out].map((c) => c.thread))
    for (const thread of threads) out.push(child(`client-probe-${thread}`, 'bench-probe', { thread } satisfies ProbeArgs, thread))
  }
  return out
}

/**
 * Warnings and errors by message (and error code), for the output after each run. Counted in
 * pino's logMethod hook, so nothing is serialized: the main thread also relays the cluster's
 * messages, and a flood of warnings must not slow it down more than the supervisor itself does.
 */
function warningCounter() {
  const counts = new Map<string, number>()
  const logger = pino({
    level: 'warn',
    hooks: {
      logMethod(args) {
        const [a, b] = args as unknown[]
        const obj = typeof a === 'object' && a !== null ? (a as { event?: unknown; err?: { code?: unknown }; repeated?: unknown }) : {}
        const msg = typeof a === 'string' ? a : typeof b === 'string' ? b : '?'
        const k = `${typeof obj.event === 'string' ? obj.event : msg}${obj.err?.code ? ` (${String(obj.err.code)})` : ''}`
        // A thread's summary of records it held back counts them all (runtime/host/wire-log.ts).
        counts.set(k, (counts.get(k) ?? 0) + (typeof obj.repeated === 'number' ? obj.repeated : 1))
      },
    },
  }, { write: () => {} })
  const take = () => {
    const s = [...counts].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} x${n}`).join(', ')
    counts.clear()
    return s
  }
  return { logger, take }
}

export async function startCluster(o: ClusterOptions): Promise<BenchCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'actorkube-bench-'))
  const { topology, claim } = await claimTopologyNetwork(parseTopology(topologyText(o), 'bench topology'))
  const plan = buildPlan(topology, { dataDir: dir })
  plan.root.children.push({ id: 'bench', strategy: 'one_for_one', intensity: 10, periodMs: 30_000, children: benchChildren(plan, o) })
  const warnings = warningCounter()
  const sup = new Supervisor(plan, { registry: REGISTRY, logger: warnings.logger, io: true, standbyThreads: 1 })
  const events: RuntimeEvent[] = []
  sup.on('event', (rec: RuntimeEvent) => {
    if (/^(lease\.|actor\.(crashed|restarted)|worker\.|supervisor\.(escalated|failed))/.test(rec.event)) events.push(rec)
  })
  const startedAt = Date.now()
  const t0 = performance.now()
  const threads = new Set(planChildren(plan).map((x) => x.thread)).size
  progress(`starting ${planChildren(plan).length} actors on ${threads} threads`)
  const ticker = setInterval(() => {
    const st = sup.status()
    const running = st.filter((a) => a.state === 'running').length
    progress(`${running}/${st.length} actors running, not yet: ${st.filter((a) => a.state !== 'running').slice(0, 5).map((a) => `${a.id} (${a.state})`).join(', ')}`)
  }, 10_000)
  try {
    await sup.start()
  } catch (err) {
    await sup.stop().catch(() => {})
    await claim.release()
    await rm(dir, { recursive: true, force: true })
    throw err
  } finally {
    clearInterval(ticker)
  }
  const startMs = performance.now() - t0
  progress(`all actors started in ${(startMs / 1000).toFixed(1)} s`)
  const ids = planChildren(plan).map((c) => c.spec.id)
  const waitFor = async (pred: () => boolean, timeoutMs: number, stepMs = 20) => {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) {
      if (pred()) return true
      await sleep(stepMs)
    }
    return pred()
  }
  const c: BenchCluster = {
    sup,
    plan,
    startedAt,
    startMs,
    events,
    takeWarnings: warnings.take,
    driver: async (cmd, timeoutMs) => {
      const t0 = Date.now()
      const tick = setInterval(() => {
        const info = sup.actorStatus(DRIVER)?.report.info
        progress(`${cmd.type} for ${((Date.now() - t0) / 1000).toFixed(0)} s${info?.progress ? `, ${String(info.progress)}` : ''}`)
      }, 15_000)
      try {
        return await sup.ask<DriverReply>(DRIVER, cmd as Message, timeoutMs)
      } finally {
        clearInterval(tick)
      }
    },
    memory: async () => {
      const asks = ids.filter((id) => id.startsWith('client-probe-')).map((id) => sup.ask<MemReply>(id, { type: 'bench.mem' }, 60_000))
      const got = await Promise.allSettled(asks)
      return got.flatMap((g) => (g.status === 'fulfilled' ? [g.value] : []))
    },
    receipts: () => Promise.all(ids.filter((id) => id.startsWith('client-w-')).map((id) => sup.ask<ReceiptsReply>(id, { type: 'bench.receipts' }, 60_000))),
    leader: (component) => ids.filter((id) => id.startsWith(`${component}-`)).map((id) => sup.actorStatus(id)).find((a) => a?.state === 'running' && a.report.info?.leader === true)?.id,
    stopGracefully: (id) => {
      // The worker host stops one actor gracefully on { t: 'stop' }; the Supervisor's public API
      // has no such call, so the message goes on the thread's port directly.
      const thread = sup.actorStatus(id)?.thread
      const recs = (sup as unknown as { threadRecs?: Map<string, { task?: { port?: MessagePort } }> }).threadRecs
      const port = thread === undefined ? undefined : recs?.get(thread)?.task?.port
      if (!port) return false
      port.postMessage({ t: 'stop', id } satisfies ToWorker)
      return true
    },
    waitFor,
    stop: async () => {
      await sup.stop()
      await claim.release()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return c
}

/** Every control-plane instance and the driver report ready. */
export async function waitReady(c: BenchCluster, timeoutMs: number): Promise<void> {
  const need = planChildren(c.plan).filter((x) => ['apiserver', 'scheduler', 'controller-manager', 'bench-driver'].includes(x.spec.kind)).map((x) => x.spec.id)
  const ok = await c.waitFor(() => need.every((id) => c.sup.actorStatus(id)?.report.ready === true), timeoutMs, 50)
  if (!ok) {
    const late = need.filter((id) => c.sup.actorStatus(id)?.report.ready !== true)
    throw new Error(`not ready after ${timeoutMs} ms: ${late.join(', ')}`)
  }
  await c.waitFor(() => c.leader('scheduler') !== undefined && c.leader('controller-manager') !== undefined, timeoutMs, 50)
}

// ---- figures -----------------------------------------------------------------------------

export const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number
}
export const median = (xs: number[]): number => pct(xs, 50)
export const mib = (b: number) => b / 1024 / 1024
export const load = () => loadavg().map((x) => x.toFixed(1)).join(' / ')
export const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a')

/** A Markdown table printed row by row as results come (alignment from the first row). */
export function streamTable(head: string[], out: (s: string) => void = console.log): { add(row: Array<string | number>): void } {
  let started = false
  return {
    add(row) {
      if (!started) {
        started = true
        out(`| ${head.join(' | ')} |`)
        out(`| ${head.map((_, i) => (isRight(row[i] ?? '') ? '---:' : '---')).join(' | ')} |`)
      }
      out(`| ${row.map(String).join(' | ')} |`)
    },
  }
}

const isRight = (s: string | number) => typeof s === 'number' || /^[\d,.]+( ms| s| MiB| KiB)?$/.test(String(s))

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (rows.every((r) => isRight(r[i] ?? '')) ? '---:' : '---')).join(' | ')} |`]
  for (const r of rows) lines.push(`| ${r.map(String).join(' | ')} |`)
  return lines.join('\n')
}
