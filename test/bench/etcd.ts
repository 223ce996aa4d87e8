// etcd benchmark, side by side: our 3-replica durable shard (one worker thread per replica,
// fsync on) and Debian's etcd-server 3.4 (three members on 127.0.0.1, default settings), same
// load in the same run. Clients: ours through the supervisor's ask (MessagePack across threads);
// etcd through its v3 HTTP/JSON gateway with keep-alive (the only client in the etcd-server
// package). Values are 256 bytes.
//
// Every figure is the median of --runs runs; in each run the systems take turns (etcd, ours at
// equal timings, ours at the lab's default timings), and the ratio ours/etcd is taken within the
// run, then its median reported. Load phases: puts from 1 client, puts with 64 in flight,
// linearizable gets with 64 in flight (elections during each load phase are counted: there
// should be none). Failover: settle (every member caught up, then a pause), kill the leader (a
// SIGKILL for etcd, the replica's worker thread for ours), fire a put every 10 ms at the
// surviving members, each independently; the time to the first put that succeeds among those
// sent after the kill. For ours, the phases of each failover are timed from the replicas' logs.
//   node --import tsx test/bench/etcd.ts [--runs 3] [--seconds 5] [--failovers 3] [--only ours|etcd] [--failover-only]
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { Supervisor, type RuntimeEvent } from '../../runtime/host/supervisor.ts'
import type { Message } from '../../runtime/actor.ts'
import type { ClusterPlan } from '../../runtime/plan.ts'
import type { EtcdArgs } from '../../actors/args.ts'

const argv = process.argv.slice(2)
const opt = (name: string, d: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : d
}
const RUNS = Number(opt('runs', '3'))
const SECONDS = Number(opt('seconds', '5'))
const FAILOVERS = Number(opt('failovers', '3'))
const ONLY = opt('only', '')
const LOAD = !argv.includes('--failover-only')
const VALUE = 'x'.repeat(256)

interface Target {
  name: string
  members: string[]
  put(i: number, key: string, timeoutMs?: number): Promise<boolean>
  get(i: number, key: string): Promise<boolean>
  leader(): Promise<number | undefined>
  /** Raft term as the members see it (the highest), and whether every member has applied the same index. */
  state(): Promise<{ term: number; caughtUp: boolean }>
  killLeader(idx: number): Promise<void>
  revive(idx: number): Promise<void>
  close(): Promise<void>
  /** Phases of the last failover, ms after the kill (ours only). */
  phases?(): Record<string, number>
}

interface LoadResult {
  rate: number
  p50: number
  p99: number
  errors: number
  elections: number
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const load1 = () => loadavg()[0].toFixed(1)

async function load(t: Target, inflight: number, op: 'put' | 'get'): Promise<LoadResult> {
  const lat: number[] = []
  let errors = 0
  let n = 0
  const termBefore = (await t.state()).term
  const end = performance.now() + SECONDS * 1000
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const k = n++
      const t0 = performance.now()
      const ok = op === 'put' ? await t.put(k, `/bench/${w}/${k % 1000}`) : await t.get(k, `/bench/${w}/${k % 1000}`)
      if (ok) lat.push(performance.now() - t0)
      else errors++
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inflight }, (_, w) => worker(w)))
  const secs = (performance.now() - t0) / 1000
  const elections = (await t.state()).term - termBefore
  return { rate: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), errors, elections }
}

/** Every member caught up and a leader known, then a pause at a random phase of the heartbeat. */
async function settle(t: Target): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const leader = await t.leader()
    if (leader !== undefined && (await t.state()).caughtUp) {
      await sleep(1000 + Math.random() * 100)
      const again = await t.leader()
      if (again !== undefined) return again
    }
    await sleep(50)
  }
  throw new Error(`${t.name}: did not settle`)
}

/** Kill the leader; probes every 10 ms (fired independently) to the other members; time to the first success. */
async function failover(t: Target): Promise<{ ms: number; phases: Record<string, number> }> {
  const leader = await settle(t)
  const others = t.members.map((_, i) => i).filter((i) => i !== leader)
  const killed = performance.now()
  await t.killLeader(leader)
  let done = -1
  let k = 0
  const probes: Array<Promise<void>> = []
  while (done < 0 && performance.now() - killed < 15_000) {
    const to = others[k++ % others.length]
    const sent = performance.now()
    probes.push(t.put(to, `/probe/${k}`, 3000).then((ok) => {
      if (ok && done < 0 && sent >= killed) done = performance.now() - killed
    }))
    await sleep(10)
  }
  await Promise.allSettled(probes)
  const phases = t.phases?.() ?? {}
  await t.revive(leader)
  return { ms: done < 0 ? NaN : done, phases }
}

// ---- ours ----

async function ours(heartbeatMs: number, electionTimeoutMs: [number, number]): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ours-'))
  const members = ['etcd-main-0', 'etcd-main-1', 'etcd-main-2']
  const args: EtcdArgs = { shard: 'main', members, heartbeatMs, electionTimeoutMs, snapshotEntries: 10_000, historyRevisions: 10_000, storage: 'disk', fsync: true }
  const plan: ClusterPlan = {
    root: {
      id: 'root', strategy: 'one_for_one', intensity: 100, periodMs: 10_000,
      children: members.map((id, i) => ({ spec: { id, kind: 'etcd', args, storage: 'disk' as const }, thread: `etcd-${i}`, restart: 'temporary' as const, backoff: { initialMs: 0, maxMs: 0, jitter: 0 } })),
    },
    heartbeatMs: 100, hangTimeoutMs: 5000, dataDir, fsync: true,
  }
  const registry = fileURLToPath(new URL('../integration/etcd/registry.ts', import.meta.url))
  let killedAt = 0
  let events: Array<{ at: number; event: string; pre?: boolean }> = []
  const onEvent = (e: RuntimeEvent) => {
    if (/^raft\.|^worker\.exited$/.test(e.event)) events.push({ at: performance.now(), event: e.event, pre: (e as { pre?: boolean }).pre })
  }
  const boot = async () => {
    const sup = new Supervisor(plan, { registry, logger: pino({ level: 'silent' }) })
    sup.on('event', onEvent)
    await sup.start()
    return sup
  }
  let s = await boot()
  const info = (id: string) => s.status().find((a) => a.id === id && a.state === 'running')?.report.info as { leader?: boolean; term?: number; appliedIndex?: number } | undefined
  const enc = new TextEncoder().encode(VALUE)
  let dead = -1
  const t: Target = {
    name: `ours ${heartbeatMs}/${electionTimeoutMs[0]}-${electionTimeoutMs[1]} ms`,
    members,
    async put(i, key, timeoutMs = 5000) {
      const to = members[i % 3] === members[dead] ? members[(i + 1) % 3] : members[i % 3]
      try {
        return (await s.ask(to, { type: 'kv.put', key, value: enc } as Message, timeoutMs)).type === 'kv.put.reply'
      } catch {
        return false
      }
    },
    async get(i, key) {
      try {
        return (await s.ask(members[i % 3], { type: 'kv.range', key } as Message, 5000)).type === 'kv.range.reply'
      } catch {
        return false
      }
    },
    async leader() {
      const l = members.findIndex((id) => info(id)?.leader)
      return l >= 0 ? l : undefined
    },
    async state() {
      const infos = members.map(info)
      const applied = infos.map((x) => x?.appliedIndex)
      return { term: Math.max(0, ...infos.map((x) => x?.term ?? 0)), caughtUp: applied.every((a) => a !== undefined && a === applied[0]) }
    },
    async killLeader(idx) {
      dead = idx
      events = []
      killedAt = performance.now()
      s.inject({ kind: 'kill', target: members[idx] })
    },
    phases() {
      const out: Record<string, number> = {}
      const mark = (label: string, at: number | undefined) => {
        if (at !== undefined) out[label] = at - killedAt
      }
      const campaigns = events.filter((e) => e.event === 'raft.campaign')
      mark('thread exit seen', events.find((e) => e.event === 'worker.exited')?.at)
      mark('pre-vote', campaigns.find((e) => e.pre)?.at)
      mark('vote', campaigns.find((e) => !e.pre)?.at)
      mark('leader elected', events.find((e) => e.event === 'raft.leader.elected')?.at)
      out['pre-votes'] = campaigns.filter((e) => e.pre).length
      out['elections'] = campaigns.filter((e) => !e.pre).length
      return out
    },
    async revive() {
      // The thread dies with its replica; a fresh supervisor on the same data dir restarts all
      // three from disk (restart 'temporary' keeps the killed one down while probing).
      await s.stop()
      s = await boot()
      dead = -1
    },
    async close() {
      await s.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
  return t
}

// ---- etcd ----

async function realEtcd(heartbeatMs: number, electionMs: number): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-etcd-'))
  const names = ['e0', 'e1', 'e2']
  const client = (i: number) => 22379 + i * 10
  const peer = (i: number) => 22380 + i * 10
  const cluster = names.map((n, i) => `${n}=http://127.0.0.1:${peer(i)}`).join(',')
  const procs: Array<ChildProcess | undefined> = []
  const start = (i: number) => {
    procs[i] = spawn('etcd', [
      '--name', names[i], '--data-dir', join(dataDir, names[i]),
      '--listen-client-urls', `http://127.0.0.1:${client(i)}`, '--advertise-client-urls', `http://127.0.0.1:${client(i)}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer(i)}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer(i)}`,
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'bench',
      '--heartbeat-interval', String(heartbeatMs), '--election-timeout', String(electionMs), '--log-level', 'error',
    ], { stdio: 'ignore' })
  }
  names.forEach((_, i) => start(i))
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const value = b64(VALUE)
  const post = async (i: number, path: string, body: object, timeoutMs = 5000) => {
    const r = await fetch(`http://127.0.0.1:${client(i)}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) })
    if (!r.ok) throw new Error(`${r.status}`)
    return (await r.json()) as Record<string, any>
  }
  const status = async (i: number) => {
    try {
      return await post(i, '/v3/maintenance/status', {}, 1000)
    } catch {
      return undefined
    }
  }
  let dead = -1
  const t: Target = {
    name: `etcd 3.4 ${heartbeatMs}/${electionMs} ms`,
    members: names,
    async put(i, key, timeoutMs = 5000) {
      const to = i % 3 === dead ? (i + 1) % 3 : i % 3
      try {
        await post(to, '/v3/kv/put', { key: b64(key), value }, timeoutMs)
        return true
      } catch {
        return false
      }
    },
    async get(i, key) {
      try {
        await post(i % 3, '/v3/kv/range', { key: b64(key) })
        return true
      } catch {
        return false
      }
    },
    async leader() {
      for (let i = 0; i < 3; i++) {
        if (i === dead) continue
        const s = await status(i)
        if (s?.leader && s.leader === s.header.member_id) return i
      }
      return undefined
    },
    async state() {
      const all = await Promise.all(names.map((_, i) => (i === dead ? undefined : status(i))))
      const idx = all.map((s) => s?.raftAppliedIndex ?? s?.raftIndex)
      return { term: Math.max(0, ...all.map((s) => Number(s?.raftTerm ?? 0))), caughtUp: idx.every((x) => x !== undefined && x === idx[0]) }
    },
    async killLeader(idx) {
      dead = idx
      procs[idx]?.kill('SIGKILL')
    },
    async revive(idx) {
      start(idx)
      dead = -1
    },
    async close() {
      for (const p of procs) p?.kill('SIGKILL')
      await sleep(200)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
  for (let i = 0; i < 200 && (await t.leader()) === undefined; i++) await sleep(100)
  return t
}

// ---- runs ----

type Row = Record<string, LoadResult | { ms: number[]; phases: Array<Record<string, number>> }>

async function bench(t: Target, loads: Array<[string, number, 'put' | 'get']>): Promise<Row> {
  const row: Row = {}
  for (const [label, inflight, op] of loads) {
    await settle(t)
    row[label] = await load(t, inflight, op)
    console.error(`  ${t.name}: ${label}: ${row[label].rate.toFixed(0)}/s p99 ${(row[label] as LoadResult).p99.toFixed(1)} ms, ${(row[label] as LoadResult).elections} election(s), load ${load1()}`)
  }
  const fo = { ms: [] as number[], phases: [] as Array<Record<string, number>> }
  for (let k = 0; k < FAILOVERS; k++) {
    const r = await failover(t)
    fo.ms.push(r.ms)
    fo.phases.push(r.phases)
    console.error(`  ${t.name}: failover ${r.ms.toFixed(0)} ms ${JSON.stringify(r.phases)}`)
  }
  row.failover = fo
  return row
}

const LOADS: Array<[string, number, 'put' | 'get']> = LOAD
  ? [['put, 1 client', 1, 'put'], ['put, 64 in flight', 64, 'put'], ['linearizable get, 64 in flight', 64, 'get']]
  : []
const systems: Array<{ key: string; make: () => Promise<Target>; loads: typeof LOADS }> = []
if (ONLY !== 'ours') systems.push({ key: 'etcd', make: () => realEtcd(100, 1000), loads: LOADS })
if (ONLY !== 'etcd') {
  systems.push({ key: 'ours', make: () => ours(100, [1000, 2000]), loads: LOADS })
  systems.push({ key: 'lab', make: () => ours(50, [300, 600]), loads: LOAD ? [['put, 64 in flight', 64, 'put']] : [] })
}

const loadAvg: string[] = [load1()]
const results: Array<Record<string, Row>> = []
const names: Record<string, string> = {}
for (let run = 0; run < RUNS; run++) {
  const byKey: Record<string, Row> = {}
  for (const sys of systems) {
    const t = await sys.make()
    names[sys.key] = t.name
    try {
      byKey[sys.key] = await bench(t, sys.loads)
    } finally {
      await t.close()
    }
    loadAvg.push(load1())
  }
  results.push(byKey)
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-')
const out: string[] = []
out.push(`${RUNS} runs, ${SECONDS} s per load, ${FAILOVERS} failovers per system per run; load average (1 min) during the runs: ${loadAvg.join(', ')}`)
out.push('')
out.push('| system | load | ops/s | p50 ms | p99 ms | errors | elections | ops/s ours/etcd | p99 ours/etcd |')
out.push('|---|---|---|---|---|---|---|---|---|')
for (const sys of systems) {
  for (const [label] of sys.loads) {
    const rs = results.map((r) => r[sys.key]?.[label] as LoadResult | undefined).filter((x): x is LoadResult => x !== undefined)
    const ratio = (f: (x: LoadResult) => number) => {
      if (sys.key === 'etcd') return ''
      const rr = results.map((r) => {
        const a = r[sys.key]?.[label] as LoadResult | undefined
        const b = r.etcd?.[label] as LoadResult | undefined
        return a && b ? f(a) / f(b) : NaN
      })
      return `${fmt(median(rr), 2)}x`
    }
    out.push(`| ${names[sys.key]} | ${label} | ${fmt(median(rs.map((x) => x.rate)))} | ${fmt(median(rs.map((x) => x.p50)), 1)} | ${fmt(median(rs.map((x) => x.p99)), 1)} | ${rs.map((x) => x.errors).join('/')} | ${rs.map((x) => x.elections).join('/')} | ${ratio((x) => x.rate)} | ${ratio((x) => x.p99)} |`)
  }
}
out.push('')
out.push('| system | failover: kill leader -> next write, ms (every kill, run by run) | median | ours/etcd (median of per-run medians) |')
out.push('|---|---|---|---|')
for (const sys of systems) {
  const per = results.map((r) => (r[sys.key]?.failover as { ms: number[] } | undefined)?.ms ?? [])
  const all = per.flat()
  const ratios = results.map((r, i) => median(per[i]) / median((r.etcd?.failover as { ms: number[] } | undefined)?.ms ?? []))
  out.push(`| ${names[sys.key]} | ${per.map((ms) => ms.map((x) => fmt(x)).join(', ')).join(' / ')} | ${fmt(median(all))} | ${sys.key === 'etcd' ? '' : `${fmt(median(ratios), 2)}x`} |`)
}
const phaseRows = systems.filter((s) => s.key !== 'etcd')
if (phaseRows.length > 0) {
  out.push('')
  out.push('| system | thread exit seen | pre-vote starts (timeout) | vote starts | leader elected | first write | pre-vote rounds / elections per kill |')
  out.push('|---|---|---|---|---|---|---|')
  for (const sys of phaseRows) {
    const ph = results.flatMap((r) => (r[sys.key]?.failover as { phases: Array<Record<string, number>> } | undefined)?.phases ?? [])
    const ms = results.flatMap((r) => (r[sys.key]?.failover as { ms: number[] } | undefined)?.ms ?? [])
    const m = (k: string) => fmt(median(ph.map((p) => p[k] ?? NaN)))
    out.push(`| ${names[sys.key]} | ${m('thread exit seen')} | ${m('pre-vote')} | ${m('vote')} | ${m('leader elected')} | ${fmt(median(ms))} | ${ph.map((p) => `${p['pre-votes'] ?? '-'}/${p.elections ?? '-'}`).join(' ')} |`)
  }
  out.push('')
  out.push('(failover phases: medians over every kill, in ms after the kill, from the replicas\' logs)')
}
console.log(out.join('\n'))
process.exit(0)
