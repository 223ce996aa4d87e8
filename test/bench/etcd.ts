// etcd benchmark, side by side: our 3-replica durable shard (one worker thread per replica,
// fsync on) and Debian's etcd-server 3.4 (three members on 127.0.0.1, default settings), same
// load in the same run. Clients: ours through the supervisor's ask (MessagePack across threads);
// etcd through its v3 HTTP/JSON gateway with keep-alive (the only client in the etcd-server
// package). Values are 256 bytes.
//   node --import tsx test/bench/etcd.ts [--seconds 5] [--failovers 3] [--only ours|etcd] [--failover-only]
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { Supervisor } from '../../runtime/host/supervisor.ts'
import type { Message } from '../../runtime/actor.ts'
import type { ClusterPlan } from '../../runtime/plan.ts'
import type { EtcdArgs } from '../../actors/args.ts'

const argv = process.argv.slice(2)
const opt = (name: string, d: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : d
}
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
  killLeader(idx: number): Promise<void>
  revive(idx: number): Promise<void>
  close(): Promise<void>
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function load(t: Target, inflight: number, op: 'put' | 'get'): Promise<{ rate: number; p50: number; p99: number; errors: number }> {
  const lat: number[] = []
  let errors = 0
  let n = 0
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
  return { rate: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), errors }
}

/** Kill the leader; probes every 10 ms (fired independently) to the other members; time to the first success. */
async function failover(t: Target): Promise<number> {
  let leader: number | undefined
  for (let i = 0; i < 100 && leader === undefined; i++) {
    leader = await t.leader()
    if (leader === undefined) await sleep(50)
  }
  if (leader === undefined) throw new Error(`${t.name}: no leader`)
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
  await t.revive(leader)
  await sleep(1500)
  return done
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
  let s = new Supervisor(plan, { registry, logger: pino({ level: 'silent' }) })
  await s.start()
  const hasLeader = () => s.status().some((a) => a.state === 'running' && (a.report.info as { leader?: boolean } | undefined)?.leader)
  for (let i = 0; i < 200 && !hasLeader(); i++) await sleep(50)
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
      const l = s.status().find((a) => a.state === 'running' && (a.report.info as { leader?: boolean } | undefined)?.leader)
      return l ? members.indexOf(l.id) : undefined
    },
    async killLeader(idx) {
      dead = idx
      s.inject({ kind: 'kill', target: members[idx] })
    },
    async revive() {
      // The thread dies with its replica; a fresh supervisor on the same data dir restarts all
      // three from disk (restart 'temporary' keeps the killed one down while probing).
      await s.stop()
      s = new Supervisor(plan, { registry, logger: pino({ level: 'silent' }) })
      await s.start()
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
        try {
          const s = await post(i, '/v3/maintenance/status', {}, 1000)
          if (s.leader && s.leader === s.header.member_id) return i
        } catch {
          // not up yet
        }
      }
      return undefined
    },
    async killLeader(idx) {
      dead = idx
      procs[idx]?.kill('SIGKILL')
    },
    async revive(idx) {
      start(idx)
      dead = -1
      await sleep(1000)
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

async function bench(t: Target, withLoad: boolean): Promise<string[]> {
  const lines: string[] = []
  const row = (what: string, r: { rate: number; p50: number; p99: number; errors: number }) =>
    lines.push(`| ${t.name} | ${what} | ${r.rate.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`)
  if (withLoad) {
    row('put, 1 client', await load(t, 1, 'put'))
    row('put, 64 in flight', await load(t, 64, 'put'))
    row('linearizable get, 64 in flight', await load(t, 64, 'get'))
  }
  const fo: number[] = []
  for (let k = 0; k < FAILOVERS; k++) fo.push(await failover(t))
  lines.push(`| ${t.name} | failover (kill leader -> next write), ms: ${fo.map((x) => x.toFixed(0)).join(', ')} | median ${pct(fo, 50).toFixed(0)} | | | |`)
  return lines
}

const out: string[] = ['| system | load | ops/s | p50 ms | p99 ms | errors |', '|---|---|---|---|---|---|']
if (ONLY !== 'ours') {
  const e = await realEtcd(100, 1000)
  try {
    out.push(...(await bench(e, LOAD)))
  } finally {
    await e.close()
  }
}
if (ONLY !== 'etcd') {
  const o = await ours(100, [1000, 2000])
  try {
    out.push(...(await bench(o, LOAD)))
  } finally {
    await o.close()
  }
  const lab = await ours(50, [300, 600])
  try {
    out.push(...(await bench(lab, false)))
  } finally {
    await lab.close()
  }
}
console.log(out.join('\n'))
process.exit(0)
