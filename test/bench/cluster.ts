// The whole cluster on worker threads, started from a topology as `actorkube up` does (buildPlan
// -> Supervisor; no load balancer), measured through the API by client actors on threads of their
// own that speak the in-cluster MessagePack protocol, as every component does (test/bench/cluster/).
//
//   npm run bench -- cluster -- [sched] [failover] [startup] [scale] [fanout] [options]
//
//   sched     pods bound per second: N nodes registered through the API without kubelets (as
//             kube-scheduler's scheduler_perf does; --kubelets for sim kubelets instead), P pods
//             created with --inflight requests in flight, first create -> every pod bound; each
//             run follows a baseline: the same creates with a scheduler name nobody serves
//             --nodes 100,1000  --pods 1000  --inflight 128  --kubelets
//   failover  the leading scheduler's / controller-manager's thread killed, or the leader stopped
//             gracefully, at the default topology's lease timings (2 s / 1.5 s / 0.5 s): the kill ->
//             the standby's lease.acquired, and -> its first act (a pod bound / a ReplicaSet's pod)
//             --components scheduler,controller-manager  --modes kill,graceful
//   startup   pod startup latency (create sent -> Running seen through a watch, scheduling
//             included, image already on the node) at --rates pods/s of churn on --nodes sim
//             kubelets, each pod deleted 2 s after it runs
//             --nodes 100  --rates 10,100  --seconds (default 30 at 10/s, 5 at 100/s, 1 at 1,000/s)
//   scale     --nodes sim kubelets: time to all Ready, memory per node (RSS of the process,
//             heap of every thread after GC), then --pods-per-node x nodes pods to Running
//             --nodes 1000  --pods-per-node 2  --nodes-per-thread (default nodes / 10)
//   fanout    --watchers client actors watching pods (on --watch-threads threads, spread over
//             the apiservers); --writes pod creates --gap ms apart; write -> last watcher's receipt
//             --watchers 1000  --writes 100  --gap 100  --watch-threads 2
//
//   common:   --runs 3 (median of)  --storage disk|memory (default disk, fsync on, as the
//             default topology)  --timings kubernetes|lab (node agents' lease and status
//             periods; default kubernetes, failover always uses lab)  --hang-timeout MS
//             --timeout S (the longest wait for pods in one run, default 900)
import { cpus, totalmem } from 'node:os'
import type { Fault } from '../../runtime/faults/types.ts'
import { fmt, load, progress, median, mib, pct, sleep, startCluster, streamTable, table, waitReady, type BenchCluster, type ClusterOptions } from './cluster/harness.ts'
import type { DriverReply, MemReply } from './cluster/protocol.ts'

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const opt = (name: string, d: string) => {
  const i = argv.indexOf(`--${name}`)
  if (i < 0) return d
  const v = argv[i + 1]
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`)
  return v
}
const num = (name: string, d: number) => {
  const v = Number(opt(name, String(d)))
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: expected a non-negative number, got "${opt(name, '')}"`)
  return v
}
const nums = (name: string, d: number[]) => opt(name, d.join(',')).split(',').map((s) => {
  const v = Number(s)
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: expected comma-separated positive numbers, got "${s}"`)
  return v
})
const words = (name: string, d: string[], allowed: string[]) => opt(name, d.join(',')).split(',').map((s) => {
  if (!allowed.includes(s)) throw new Error(`--${name}: expected some of ${allowed.join(', ')}, got "${s}"`)
  return s
})

const KINDS = ['sched', 'failover', 'startup', 'scale', 'fanout'] as const
const valued = new Set(['nodes', 'pods', 'inflight', 'components', 'modes', 'rates', 'seconds', 'pods-per-node', 'nodes-per-thread', 'watchers', 'writes', 'gap', 'watch-threads', 'runs', 'storage', 'timings', 'hang-timeout', 'timeout', 'thread-old-mb', 'thread-young-mb'])
const positional = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && valued.has(argv[i - 1]!.slice(2))))
for (const a of argv) if (a.startsWith('--') && !valued.has(a.slice(2)) && a !== '--kubelets') throw new Error(`unknown option ${a}; options: ${[...valued].map((v) => `--${v}`).join(' ')} --kubelets`)
for (const p of positional) if (!(KINDS as readonly string[]).includes(p)) throw new Error(`unknown measurement "${p}"; expected some of ${KINDS.join(', ')}`)
const which = positional.length > 0 ? positional : [...KINDS]

const RUNS = Math.max(1, Math.round(num('runs', 3)))
const STORAGE = opt('storage', 'disk') as 'disk' | 'memory'
if (STORAGE !== 'disk' && STORAGE !== 'memory') throw new Error(`--storage: expected disk or memory, got "${STORAGE}"`)
const TIMINGS = opt('timings', 'kubernetes') as 'kubernetes' | 'lab'
if (TIMINGS !== 'kubernetes' && TIMINGS !== 'lab') throw new Error(`--timings: expected kubernetes or lab, got "${TIMINGS}"`)
const HANG = argv.includes('--hang-timeout') ? num('hang-timeout', 800) : undefined
/** placement.threadMaxOldGenerationMb / threadMaxYoungGenerationMb; the topology's defaults when not given. */
const THREAD_OLD = argv.includes('--thread-old-mb') ? num('thread-old-mb', 0) : undefined
const THREAD_YOUNG = argv.includes('--thread-young-mb') ? num('thread-young-mb', 0) : undefined
/** How long to wait for pods to reach their goal in one run, ms. */
const WAIT = num('timeout', 900) * 1000

const base = (o: Partial<ClusterOptions>): ClusterOptions => ({
  nodes: 0,
  nodesPerThread: 100,
  timings: TIMINGS,
  capacity: { cpu: '4', memory: '32Gi', pods: '110' },
  storage: STORAGE,
  hangTimeoutMs: HANG,
  threadOldMb: THREAD_OLD,
  threadYoungMb: THREAD_YOUNG,
  ...o,
})

const say = (s: string) => console.log(s)
const s1 = (ms: number) => `${fmt(ms / 1000, 1)} s`
const errs = (r: DriverReply) => Object.entries(r.errors ?? {}).map(([k, n]) => `${k} x${n}`).join(', ')

function header(what: string, c: BenchCluster, extra: string) {
  const threads = new Set(c.sup.status().map((a) => a.thread)).size
  say(`\n### ${what}\n`)
  say(`${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB; load average ${load()} at the start`)
  say(`cluster: ${c.sup.status().length} actors on ${threads} threads (started in ${s1(c.startMs)}); storage ${STORAGE}${STORAGE === 'disk' ? ' (fsync)' : ''}; hang timeout ${fmt(c.plan.hangTimeoutMs)} ms${HANG === undefined ? ' (the default)' : ''}; thread heap limits ${JSON.stringify(c.plan.threadHeap ?? "V8's defaults")}; ${extra}`)
  say('client: actors on their own threads speaking the in-cluster protocol to both apiservers (no HTTP)\n')
}

/** Who holds the scheduler and controller-manager leases, as the instances report it. */
function leaders(c: BenchCluster): string {
  return ['scheduler', 'controller-manager'].map((comp) => {
    const st = c.sup.status().filter((a) => a.id.startsWith(`${comp}-`))
    return `${comp}: ${st.map((a) => `${a.id} ${a.state}${a.report.info?.leader === true ? ' leading' : ''}`).join(', ')}; lease holder ${String(st[0]?.report.info?.holder ?? '?')}`
  }).join('; ')
}

/** What went wrong meanwhile: hung threads, crashes, lost leases, warnings by message. */
function trouble(c: BenchCluster, since: number): string {
  const evs = c.events.filter((e) => e.time >= since)
  const count = (pred: (e: (typeof evs)[number]) => boolean, key: (e: (typeof evs)[number]) => string) => {
    const m = new Map<string, number>()
    for (const e of evs) if (pred(e)) m.set(key(e), (m.get(key(e)) ?? 0) + 1)
    return [...m].map(([k, n]) => (n > 1 ? `${k} x${n}` : k))
  }
  // A hung thread with how long it was silent and the CPU it used meanwhile (the most of its restarts).
  const most = (thread: string, field: string) => Math.max(...evs.filter((e) => e.event === 'worker.hung' && e.thread === thread).map((e) => Number(e[field] ?? NaN)))
  const hung = count((e) => e.event === 'worker.hung', (e) => String(e.thread)).map((h) => {
    const thread = h.split(' ')[0]!
    return `${h} (silent up to ${fmt(most(thread, 'silentMs'))} ms, CPU ${fmt(most(thread, 'cpuMs'))} ms)`
  })
  const crashed = evs.filter((e) => e.event === 'actor.crashed')
  const crashedActors = new Set(crashed.map((e) => String(e.actor)))
  const reasons = [...new Set(crashed.map((e) => String(e.reason)))]
  const lost = count((e) => e.event === 'lease.lost', (e) => String(e.actor))
  const sup = count((e) => e.event.startsWith('supervisor.'), (e) => `${e.event} ${String(e.supervisor ?? '')}`)
  const parts = [
    hung.length ? `threads judged hung and restarted: ${hung.join(', ')}` : '',
    crashed.length ? `${crashed.length} actor crashes (${crashedActors.size} actors; ${reasons.join(', ')})` : '',
    lost.length ? `lease lost: ${lost.join(', ')}` : '',
    sup.join(', '),
  ].filter(Boolean)
  const w = c.takeWarnings()
  return [...parts, ...(w ? [`logs: ${w}`] : [])].join('; ')
}

const etcdMainReplicas = (c: BenchCluster) => c.sup.status().filter((a) => a.id.startsWith('etcd-main-'))

/** The main etcd shard's applied index and revision, as its replicas report them. */
function etcdMain(c: BenchCluster): string {
  const st = etcdMainReplicas(c)
  const idx = st.map((a) => Number(a.report.info?.appliedIndex ?? NaN)).filter(Number.isFinite)
  const rev = st.map((a) => Number(a.report.info?.revision ?? NaN)).filter(Number.isFinite)
  return `etcd main applied index ${idx.length ? fmt(Math.max(...idx)) : '?'}, revision ${rev.length ? fmt(Math.max(...rev)) : '?'}`
}

/** The cluster's state when a measurement fails: what is not running, who leads, what went wrong. */
function diagnose(c: BenchCluster): string {
  const down = c.sup.status().filter((a) => a.state !== 'running').map((a) => `${a.id} ${a.state}`)
  return `cluster at the failure (load average ${load()}): ${down.length ? `not running: ${down.slice(0, 10).join(', ')}${down.length > 10 ? ` and ${down.length - 10} more` : ''}` : 'every actor running'}; ${leaders(c)}; ${etcdMain(c)}; since the start: ${trouble(c, c.startedAt) || 'nothing logged'}`
}

/** Starts a cluster, runs the measurement, and stops the cluster; prints its state if the measurement fails. */
async function withCluster(o: ClusterOptions, body: (c: BenchCluster) => Promise<void>): Promise<void> {
  const c = await startCluster(o)
  try {
    await body(c)
  } catch (err) {
    say(`\n${diagnose(c)}`)
    throw err
  } finally {
    await c.stop()
  }
}

async function ensureNs(c: BenchCluster, name: string) {
  const r = await c.driver({ type: 'bench.namespace', name }, 150_000)
  if (!r.ok) throw new Error(`namespace ${name}: ${r.error ?? errs(r)}`)
}

// ---- 1. scheduling throughput ------------------------------------------------------------

async function sched() {
  const pods = num('pods', 1000)
  const inflight = num('inflight', 128)
  const kubelets = flag('kubelets')
  const requests = { cpu: '100m', memory: '500Mi' }
  const summary: Array<Array<string | number>> = []
  for (const n of nums('nodes', [100, 1000])) {
    const warm = Math.min(200, pods)
    const need = warm + RUNS * pods
    if (need > n * 40) throw new Error(`sched: ${need} pods do not fit on ${n} nodes of 4 CPUs (100m each): lower --pods or --runs`)
    await withCluster(base({
      nodes: kubelets ? n : 0,
      nodesPerThread: Math.max(100, Math.ceil(n / 10)),
      // Nodes registered through the API have no kubelet renewing a lease.
      nodeMonitorGracePeriodMs: kubelets ? undefined : 86_400_000,
    }), async (c) => {
      await waitReady(c, 120_000)
      if (!kubelets) {
        const r = await c.driver({ type: 'bench.nodes', prefix: 'sched-node-', count: n, capacity: { cpu: '4', memory: '32Gi', pods: '110' }, inflight: 64 }, 600_000)
        if (!r.ok) throw new Error(`registering ${n} nodes: ${r.error ?? errs(r)}`)
      }
      const ready = await c.driver({ type: 'bench.nodes-ready', count: n, timeoutMs: 600_000 }, 610_000)
      if (!ready.ok) throw new Error(`only ${ready.done} of ${n} nodes Ready`)
      header(`Scheduling throughput, ${fmt(n)} nodes`, c, `${kubelets ? 'sim kubelets' : 'nodes registered through the API, no kubelets (as scheduler_perf)'}; ${pods} pods per run (cpu 100m, memory 500Mi each, nodes of 4 CPUs / 32Gi / 110 pods), ${inflight} creates in flight; after a warm-up of ${warm} pods`)
      await ensureNs(c, 'warm')
      const w = await c.driver({ type: 'bench.burst', namespace: 'warm', prefix: 'w-', count: warm, inflight, until: kubelets ? 'running' : 'bound', template: { requests }, timeoutMs: 300_000 }, 310_000)
      if (!w.ok) say(`warm-up: ${w.done}/${warm} bound ${w.error ?? ''} ${errs(w)}`)
      c.takeWarnings()
      const rows = streamTable(['run', 'bound', 'first create -> all bound', 'pods/s', 'creates/s', 'baseline creates/s', 'ratio', 'create -> bound p50', 'p99', 'create reply p99', 'notes'])
      const rates: number[] = []
      const baseRates: number[] = []
      const ratios: number[] = []
      for (let k = 0; k < RUNS; k++) {
        // Baseline, right before each run: the same creates with a scheduler name nobody serves,
        // so only the API path (apiserver, Raft, fsync) is timed.
        await ensureNs(c, `base-${k}`)
        const b = await c.driver({ type: 'bench.burst', namespace: `base-${k}`, prefix: 'b-', count: pods, inflight, until: 'created', template: { requests, schedulerName: 'bench-unscheduled' }, timeoutMs: WAIT }, WAIT + 10_000)
        const baseRate = b.ok ? pods / (((b.createdAt ?? 0) - (b.startedAt ?? 0)) / 1000) : NaN
        const ns = `sched-${k}`
        await ensureNs(c, ns)
        c.takeWarnings()
        const since = Date.now()
        const r = await c.driver({ type: 'bench.burst', namespace: ns, prefix: 'p-', count: pods, inflight, until: 'bound', template: { requests }, timeoutMs: WAIT }, WAIT + 10_000)
        const secs = ((r.doneAt ?? 0) - (r.startedAt ?? 0)) / 1000
        const rate = r.ok ? (r.done ?? 0) / secs : NaN
        if (r.ok) rates.push(rate)
        if (r.ok && b.ok) {
          baseRates.push(baseRate)
          ratios.push(rate / baseRate)
        }
        const createRate = pods / (((r.createdAt ?? 0) - (r.startedAt ?? 0)) / 1000)
        rows.add([k + 1, `${r.done}/${pods}`, s1(secs * 1000), fmt(rate), fmt(createRate), fmt(baseRate), fmt(rate / baseRate, 2), `${fmt(pct(r.latencies ?? [], 50))} ms`, `${fmt(pct(r.latencies ?? [], 99))} ms`, `${fmt(pct(r.createLatencies ?? [], 99))} ms`, [r.ok ? '' : `stuck: ${(r.stuck ?? []).join(', ')}; ${leaders(c)}`, b.ok ? '' : `baseline failed: ${errs(b)}`, errs(r), trouble(c, since), etcdMain(c)].filter(Boolean).join('; ')])
      }
      say(`\nmedian: ${fmt(median(rates))} pods/s at ${fmt(n)} nodes; baseline (creates alone, nothing scheduled) ${fmt(median(baseRates))} pods/s; ratio ${fmt(median(ratios), 2)} (load average now ${load()})`)
      summary.push([fmt(n), kubelets ? 'sim kubelets' : 'API-registered', fmt(median(rates)), fmt(median(baseRates)), fmt(median(ratios), 2), rates.map((x) => fmt(x)).join(', ')])
    })
  }
  say('\n' + table(['nodes', 'nodes are', 'pods bound/s (median)', 'baseline creates/s (median)', 'ratio (median)', 'pods bound/s, each run'], summary))
}

// ---- 2. leader failover ------------------------------------------------------------------

async function failover() {
  const components = words('components', ['scheduler', 'controller-manager'], ['scheduler', 'controller-manager'])
  const modes = words('modes', ['kill', 'graceful'], ['kill', 'graceful'])
  // The default topology: 3 nodes, lab timings everywhere, leases 2 s / 1.5 s / 0.5 s.
  await withCluster(base({ nodes: 3, timings: 'lab', capacity: { cpu: '4', memory: '8Gi', pods: '110' } }), async (c) => {
    const rows = streamTable(['component', 'mode', 'run', 'old leader', 'new leader', 'kill or stop -> lease.acquired', 'kill or stop -> first act', 'notes'])
    const summary: Array<Array<string | number>> = []
    await waitReady(c, 120_000)
    const ready = await c.driver({ type: 'bench.nodes-ready', count: 3, timeoutMs: 60_000 }, 70_000)
    if (!ready.ok) throw new Error('nodes not Ready')
    header('Leader failover on threads', c, 'default topology (3 sim nodes, lab timings), scheduler and controller-manager leases 2 s / renew 1.5 s / retry 0.5 s')
    await ensureNs(c, 'failover')
    for (const comp of components) {
      const what = comp === 'scheduler' ? 'bind' : 'replicate'
      const instances = c.sup.status().filter((a) => a.id.startsWith(`${comp}-`)).map((a) => a.id)
      const settled = () => instances.every((id) => {
        const a = c.sup.status().find((x) => x.id === id)
        return a?.state === 'running' && a.report.ready === true
      }) && c.leader(comp) !== undefined
      // The active leader acts once before the measurements.
      const first = await c.driver({ type: 'bench.act', namespace: 'failover', name: `${comp}-warm`, what, timeoutMs: 30_000 }, 35_000)
      if (!first.ok) throw new Error(`${comp}: the leader did not act (${first.error ?? errs(first)})`)
      for (const mode of modes) {
        const acquired: number[] = []
        const acted: number[] = []
        for (let k = 0; k < RUNS; k++) {
          if (!(await c.waitFor(settled, 60_000, 50))) throw new Error(`${comp}: instances not all running and ready with a leader`)
          // Standby informers have had time to sync after the last restart.
          await sleep(1000)
          if (!(await c.waitFor(settled, 60_000, 20))) throw new Error(`${comp}: instances not all running and ready with a leader`)
          const leader = c.leader(comp) as string
          c.takeWarnings()
          const t0 = Date.now()
          if (mode === 'kill') c.sup.inject({ kind: 'kill', target: leader } satisfies Fault)
          else if (!c.stopGracefully(leader)) throw new Error('graceful stop unavailable: the Supervisor has no per-thread port any more')
          const r = await c.driver({ type: 'bench.act', namespace: 'failover', name: `${comp}-${mode}-${k}`, what, timeoutMs: 60_000 }, 65_000)
          const acq = c.events.find((e) => e.event === 'lease.acquired' && e.component === comp && e.time >= t0)
          const acqMs = acq ? acq.time - t0 : NaN
          const actMs = r.ok && r.doneAt ? r.doneAt - t0 : NaN
          if (Number.isFinite(acqMs)) acquired.push(acqMs)
          if (Number.isFinite(actMs)) acted.push(actMs)
          rows.add([comp, mode, k + 1, leader, String(acq?.actor ?? 'none'), `${fmt(acqMs)} ms`, `${fmt(actMs)} ms`, [r.ok ? '' : `no act: ${r.error ?? errs(r)}`, trouble(c, t0)].filter(Boolean).join('; ')])
          // A gracefully stopped actor is not restarted by its supervisor: its thread is.
          if (mode === 'graceful') c.sup.inject({ kind: 'kill', target: leader } satisfies Fault)
        }
        summary.push([comp, mode === 'kill' ? 'leader thread killed' : 'graceful stop (lease released)', `${fmt(median(acquired))} ms`, `${fmt(median(acted))} ms`, acted.map((x) => fmt(x)).join(', ')])
      }
    }
    say('\nfirst act: scheduler = a pod created at the kill is bound; controller-manager = a ReplicaSet created at the kill has its pod')
    say('\n' + table(['component', 'event', 'lease acquired (median)', 'first act (median)', 'first act, each run (ms)'], summary))
    say(`\nload average now ${load()}`)
  })
}

// ---- 3. pod startup latency --------------------------------------------------------------

async function startup() {
  const n = nums('nodes', [100])[0]!
  const rates = nums('rates', [10, 100])
  const defaultSeconds = (rate: number) => (rate >= 1000 ? 1 : rate >= 100 ? 5 : 30)
  await withCluster(base({ nodes: n, nodesPerThread: Math.max(100, Math.ceil(n / 10)) }), async (c) => {
    await waitReady(c, 120_000)
    const ready = await c.driver({ type: 'bench.nodes-ready', count: n, timeoutMs: 300_000 }, 310_000)
    if (!ready.ok) throw new Error(`only ${ready.done} of ${n} nodes Ready`)
    header(`Pod startup latency, ${fmt(n)} sim nodes`, c, `node timings ${TIMINGS}; pods unbound at creation (the scheduler places them), each deleted 2 s after it runs; image pulled beforehand on every node (one pod per node), as the SLO excludes pulls`)
    // One pod bound to each node pulls the image there.
    await ensureNs(c, 'warm')
    const nodes = Array.from({ length: n }, (_, i) => `node-${i}`)
    const w = await c.driver({ type: 'bench.burst', namespace: 'warm', prefix: 'w-', count: n, inflight: 64, until: 'running', template: {}, nodes, timeoutMs: 300_000 }, 310_000)
    if (!w.ok) say(`warm-up: ${w.done}/${n} Running ${errs(w)}`)
    c.takeWarnings()
    const rows = streamTable(['pods/s', 'run', 'Running', 'created/s achieved', 'p50', 'p99', 'max', 'create reply p99', 'notes'])
    const summary: Array<Array<string | number>> = []
    for (const rate of rates) {
      const seconds = argv.includes('--seconds') ? num('seconds', 5) : defaultSeconds(rate)
      const p50s: number[] = []
      const p99s: number[] = []
      for (let k = 0; k < RUNS; k++) {
        const ns = `startup-${rate}-${k}`
        await ensureNs(c, ns)
        c.takeWarnings()
        const since = Date.now()
        const r = await c.driver({ type: 'bench.churn', namespace: ns, prefix: 'p-', rate, seconds, deleteAfterMs: 2000, template: {}, timeoutMs: WAIT }, WAIT + 20_000)
        const lat = r.latencies ?? []
        const total = Math.round(rate * seconds)
        if (r.ok) {
          p50s.push(pct(lat, 50))
          p99s.push(pct(lat, 99))
        }
        const achieved = total / (((r.createdAt ?? 0) - (r.startedAt ?? 0)) / 1000)
        rows.add([rate, k + 1, `${r.done}/${total}`, fmt(achieved), `${fmt(pct(lat, 50))} ms`, `${fmt(pct(lat, 99))} ms`, `${fmt(Math.max(...lat))} ms`, `${fmt(pct(r.createLatencies ?? [], 99))} ms`, [r.ok ? '' : `not running: ${(r.stuck ?? []).join(', ')}; ${leaders(c)}`, errs(r), trouble(c, since), etcdMain(c)].filter(Boolean).join('; ')])
        await sleep(2000)
      }
      summary.push([rate, seconds, `${fmt(median(p50s))} ms`, `${fmt(median(p99s))} ms`, p99s.map((x) => fmt(x)).join(', ')])
    }
    say('\n' + table(['pods/s', 'seconds per run', 'p50 (median)', 'p99 (median)', 'p99, each run (ms)'], summary))
    say(`\nload average now ${load()}`)
  })
}

// ---- 4. scale ----------------------------------------------------------------------------

function groupOf(thread: string): string {
  if (thread.startsWith('nodes-')) return 'node agents (nodes-*)'
  if (thread.startsWith('etcd-')) return 'etcd (6 replicas)'
  if (thread.startsWith('apiserver-')) return 'apiservers (2)'
  if (thread.startsWith('scheduler-')) return 'schedulers (2)'
  if (thread.startsWith('controller-manager-')) return 'controller-managers (2)'
  return 'benchmark driver'
}

function memTable(mem: MemReply[], nodes: number): { rows: Array<Array<string | number>>; spaceRows: string[][]; nodeHeap: number; total: number } {
  const groups = new Map<string, { heap: number; reserved: number; physical: number; malloced: number; external: number; threads: number }>()
  for (const m of mem) {
    const g = groups.get(groupOf(m.thread)) ?? { heap: 0, reserved: 0, physical: 0, malloced: 0, external: 0, threads: 0 }
    g.heap += m.heapUsed
    g.reserved += m.heapTotal
    g.physical += m.heapPhysical
    g.malloced += m.malloced
    g.external += m.external
    g.threads++
    groups.set(groupOf(m.thread), g)
  }
  const rows = [...groups].map(([g, v]) => [g, v.threads, `${fmt(mib(v.heap), 1)} MiB`, nodes > 0 ? `${fmt(v.heap / nodes / 1024, 1)} KiB` : '', `${fmt(mib(v.reserved), 1)} MiB`, `${fmt(mib(v.physical), 1)} MiB`, `${fmt(mib(v.malloced), 1)} MiB`, `${fmt(mib(v.external), 1)} MiB`])
  const total = mem.reduce((s, m) => s + m.heapUsed, 0)
  // Where the reserved heap is, by V8 space, over all threads.
  const spaces = new Map<string, { size: number; used: number; physical: number }>()
  for (const m of mem) {
    for (const [name, s] of Object.entries(m.spaces)) {
      const a = spaces.get(name) ?? { size: 0, used: 0, physical: 0 }
      a.size += s.size
      a.used += s.used
      a.physical += s.physical
      spaces.set(name, a)
    }
  }
  const spaceRows = [...spaces].filter(([, s]) => s.size > 0).map(([name, s]) => [name, `${fmt(mib(s.used), 1)} MiB`, `${fmt(mib(s.size), 1)} MiB`, `${fmt(mib(s.physical), 1)} MiB`])
  return { rows, spaceRows, nodeHeap: groups.get('node agents (nodes-*)')?.heap ?? 0, total }
}

async function scale() {
  const podsPerNode = num('pods-per-node', 2)
  const summary: Array<Array<string | number>> = []
  for (const n of nums('nodes', [1000])) {
    const perThread = argv.includes('--nodes-per-thread') ? num('nodes-per-thread', 100) : Math.max(100, Math.ceil(n / 10))
    const t0 = Date.now()
    await withCluster(base({ nodes: n, nodesPerThread: perThread, probes: true, capacity: { cpu: '4', memory: '8Gi', pods: '110' } }), async (c) => {
      // Every 15 s: etcd main's progress, and each replica's state, term (L: leader) and applied index.
      const replicas = () => etcdMainReplicas(c).map((a) => `${a.id.slice(-1)}:${a.state === 'running' ? '' : a.state}t${String(a.report.info?.term ?? '?')}${a.report.info?.leader ? 'L' : ''}@${String(a.report.info?.appliedIndex ?? '?')}`).join(' ')
      const tick = setInterval(() => progress(`${etcdMain(c)} (${replicas()}); load ${load()}`), 15000)
      try {
        await waitReady(c, 300_000)
        const ready = await c.driver({ type: 'bench.nodes-ready', count: n, timeoutMs: 900_000 }, 910_000)
        const readyMs = ready.doneAt ? ready.doneAt - t0 : NaN
        header(`Scale, ${fmt(n)} sim nodes`, c, `node timings ${TIMINGS}; ${perThread} nodes (kubelet + kube-proxy each) per thread; one memory probe actor per thread`)
        say(ready.ok ? `${fmt(n)} nodes Ready ${s1(readyMs)} after start() (all actors started after ${s1(c.startMs)})` : `only ${ready.done} of ${n} nodes Ready after ${s1(Date.now() - t0)}`)
        say(`problems meanwhile: ${trouble(c, t0) || 'none'}; ${etcdMain(c)}`)
        await sleep(2000)
        const mem = await c.memory()
        const rss = process.memoryUsage.rss()
        const m1 = memTable(mem, n)
        const threads = new Set(c.sup.status().map((a) => a.thread)).size
        if (mem.length < threads) say(`(${threads - mem.length} of ${threads} threads did not report their heap within 60 s: ${trouble(c, t0)})`)
        say(`\nmemory with ${fmt(n)} nodes Ready (heaps after a full GC: ${mem.every((m) => m.gc) ? 'yes' : 'no'}), process RSS ${fmt(mib(rss))} MiB = ${fmt(rss / n / 1024, 1)} KiB per node, heap of all threads ${fmt(mib(m1.total))} MiB\n`)
        say(table(['threads', 'count', 'heap', 'per node', 'heap reserved', 'heap resident', 'malloc', 'outside the heap'], m1.rows))
        say('\n' + table(['V8 space (all threads)', 'used', 'reserved', 'resident'], m1.spaceRows))
        const pods = n * podsPerNode
        await ensureNs(c, 'scale')
        const since = Date.now()
        const r = await c.driver({ type: 'bench.burst', namespace: 'scale', prefix: 'p-', count: pods, inflight: 256, until: 'running', template: {}, timeoutMs: WAIT }, WAIT + 10_000)
        const podsMs = r.doneAt ? r.doneAt - (r.startedAt ?? NaN) : NaN
        say(`\n${fmt(r.done ?? 0)} of ${fmt(pods)} pods Running ${s1(podsMs)} after the first create (creates answered after ${s1((r.createdAt ?? NaN) - (r.startedAt ?? NaN))}; create -> Running p50 ${fmt(pct(r.latencies ?? [], 50))} ms, p99 ${fmt(pct(r.latencies ?? [], 99))} ms)${r.ok ? '' : `; not running: ${(r.stuck ?? []).join(', ')}; ${leaders(c)}`}`)
        say(`problems meanwhile: ${[errs(r), trouble(c, since)].filter(Boolean).join('; ') || 'none'}`)
        const mem2 = await c.memory()
        const rss2 = process.memoryUsage.rss()
        const m2 = memTable(mem2, n)
        if (mem2.length < threads) say(`(${threads - mem2.length} of ${threads} threads did not report their heap within 60 s)`)
        say(`\nmemory with the pods Running: process RSS ${fmt(mib(rss2))} MiB, heap of all threads ${fmt(mib(m2.total))} MiB\n`)
        say(table(['threads', 'count', 'heap', 'per node', 'heap reserved', 'heap resident', 'malloc', 'outside the heap'], m2.rows))
        say('\n' + table(['V8 space (all threads)', 'used', 'reserved', 'resident'], m2.spaceRows))
        summary.push([fmt(n), ready.ok ? s1(readyMs) : `${ready.done} Ready`, `${fmt(rss / n / 1024)} KiB`, `${fmt(m1.nodeHeap / n / 1024, 1)} KiB`, `${fmt(mib(rss))} MiB`, fmt(pods), r.ok ? s1(podsMs) : `${r.done} Running`, `${fmt(mib(rss2))} MiB`])
        say(`\nload average now ${load()}`)
      } finally {
        clearInterval(tick)
      }
    })
  }
  say('\n' + table(['nodes', 'all Ready after', 'RSS per node', 'node-thread heap per node', 'RSS', 'pods', 'all Running after', 'RSS with pods'], summary))
}

// ---- 5. watch fan-out --------------------------------------------------------------------

async function fanout() {
  const watchers = num('watchers', 1000)
  const writes = num('writes', 100)
  const gap = num('gap', 100)
  const threads = Math.max(1, num('watch-threads', 2))
  const ns = 'fanout'
  await withCluster(base({ watchers: { count: watchers, threads, namespace: ns, warmupPrefix: 'warm-' } }), async (c) => {
    await waitReady(c, 120_000)
    header(`Watch fan-out, ${fmt(watchers)} watchers`, c, `${watchers} watcher actors (API client watches with acks, as informers) on ${threads} threads, alternating between the 2 apiservers; pods created one at a time ${gap} ms apart (schedulerName nobody serves, so nothing else writes)`)
    await ensureNs(c, ns)
    const template = { schedulerName: 'bench-unscheduled' }
    const all = () => c.sup.status().filter((a) => a.id.startsWith('client-w-'))
    let warm = 0
    while (!all().every((a) => a.report.ready === true)) {
      if (warm > 200) throw new Error(`watchers never all established: ${all().filter((a) => !a.report.ready).length} still waiting`)
      await c.driver({ type: 'bench.writes', namespace: ns, prefix: `warm-${warm++}-`, count: 1, gapMs: 0, template }, 60_000)
      await sleep(500)
    }
    c.takeWarnings()
    const rows = streamTable(['run', 'writes', 'write -> a watcher p50', 'write -> last watcher p50', 'p99', 'create answered -> last watcher p99', 'receipts missing', 'notes'])
    const p99s: number[] = []
    const p50s: number[] = []
    for (let k = 0; k < RUNS; k++) {
      c.takeWarnings()
      const since = Date.now()
      const r = await c.driver({ type: 'bench.writes', namespace: ns, prefix: `f${k}-`, count: writes, gapMs: gap, template }, 600_000)
      await sleep(2000)
      const receipts = await c.receipts()
      const last: number[] = []
      const fromReply: number[] = []
      const each: number[] = []
      let missing = 0
      for (const [name, sent, answered] of r.writes ?? []) {
        let max = -Infinity
        for (const rc of receipts) {
          const t = rc.times[name]
          if (t === undefined) missing++
          else {
            max = Math.max(max, t)
            each.push(t - sent)
          }
        }
        if (Number.isFinite(max)) {
          last.push(max - sent)
          fromReply.push(max - answered)
        }
      }
      const closed = receipts.reduce((s, x) => s + x.closed, 0)
      p50s.push(pct(last, 50))
      p99s.push(pct(last, 99))
      rows.add([k + 1, r.writes?.length ?? 0, `${fmt(pct(each, 50))} ms`, `${fmt(pct(last, 50))} ms`, `${fmt(pct(last, 99))} ms`, `${fmt(pct(fromReply, 99))} ms`, missing, [closed ? `${closed} watches closed and resumed so far` : '', errs(r), trouble(c, since)].filter(Boolean).join('; ')])
    }
    say(`\nmedian over runs: write -> last of ${fmt(watchers)} watchers p50 ${fmt(median(p50s))} ms, p99 ${fmt(median(p99s))} ms (goal p99 <= 50 ms); load average now ${load()}`)
  })
}

const runners: Record<(typeof KINDS)[number], () => Promise<void>> = { sched, failover, startup, scale, fanout }
let failed = false
for (const k of KINDS) {
  if (!which.includes(k)) continue
  try {
    await runners[k]()
  } catch (err) {
    failed = true
    console.error(`\n${k} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
  }
}
process.exit(failed ? 1 : 0)
