// API server benchmark in the simulator with zero delivery latency: what is measured is the real
// CPU time of the API server core, the msgpack copies and the in-memory store, not a network.
//   node --import tsx test/bench/apiserver.ts [--watchers 1000] [--ops 500]
import { performance } from 'node:perf_hooks'
import { Simulation } from '../../runtime/sim/simulator.ts'
import type { Ctx } from '../../runtime/actor.ts'
import type { ApiReply, ApiRequest, ApiWatchEvents } from '../../protocols/api.ts'
import { createApiServer } from '../../actors/apiserver/actor.ts'
import { ApiServer } from '../../actors/apiserver/server.ts'
import type { KvWatchCanceled, KvWatchEvents } from '../../protocols/kv.ts'
import { spawnFakeEtcd } from '../helpers/fake-etcd.ts'

const argv = process.argv.slice(2)
const opt = (name: string, d: number) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? Number(argv[i + 1]) : d
}
const OPS = opt('ops', 500)
const WATCHERS = opt('watchers', 1000)

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
/** The first 10% of samples warm the JIT up and are left out. */
const fmt = (all: number[]) => { const xs = all.slice(Math.floor(all.length / 10)); return `p50 ${pct(xs, 50).toFixed(3)} ms  p99 ${pct(xs, 99).toFixed(3)} ms` }

async function setup(apis: number) {
  const sim = new Simulation({ seed: 1, latencyMs: [0, 0], traceDeliveries: false })
  const main = spawnFakeEtcd(sim, 'main', 1, 0)
  const factory = createApiServer({ maxUnacked: 1_000_000 })
  for (let i = 0; i < apis; i++) {
    sim.spawn(`apiserver-${i}`, (ctx) => factory(ctx, {
      index: i, shards: { main: main.members }, resourceShards: {}, defaultShard: 'main',
      serviceCIDR: '127.96.0.0/16', watchCacheSize: 1000, requestTimeoutMs: 60_000,
    }))
  }
  await sim.runUntil(() => [...Array(apis).keys()].every((i) => sim.reports.get(`apiserver-${i}`)?.ready), 10_000)
  return sim
}

async function timed(sim: Simulation, c: Ctx, to: string, req: ApiRequest): Promise<number> {
  let done = false
  const t0 = performance.now()
  c.ask<ApiReply>(to, req, { timeoutMs: 60_000 }).then((r) => {
    if (r.code >= 300) throw new Error(`${req.type} ${r.code}`)
    done = true
  })
  await sim.runUntil(() => done, 60_000)
  return performance.now() - t0
}

const core = (resource: string) => ({ group: '', version: 'v1', resource })

async function crud(apis: number) {
  const sim = await setup(apis)
  const c = sim.client('client-bench')
  const create: number[] = []
  const get: number[] = []
  const list: number[] = []
  for (let i = 0; i < OPS; i++) {
    const to = `apiserver-${i % apis}`
    create.push(await timed(sim, c, to, { type: 'api.create', ...core('configmaps'), namespace: 'default', body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } } }))
    get.push(await timed(sim, c, to, { type: 'api.get', ...core('configmaps'), namespace: 'default', name: `cm-${i}` }))
    if (i % 10 === 0) list.push(await timed(sim, c, to, { type: 'api.list', ...core('configmaps'), namespace: 'default', limit: 100 }))
  }
  console.log(`${apis} apiserver(s), ${OPS} objects`)
  console.log(`  create ${fmt(create)}`)
  console.log(`  get    ${fmt(get)}`)
  console.log(`  list   ${fmt(list)} (limit 100)`)
}

async function fanout() {
  const sim = await setup(2)
  const c = sim.client('client-bench')
  let received = 0
  const lastAt: number[] = []
  for (let i = 0; i < WATCHERS; i++) {
    const id = `client-w${i}`
    const ctx = sim.spawn(id, (ctx) => ({
      receive(msg, meta) {
        if (msg.type !== 'api.watch.events') return
        const m = msg as ApiWatchEvents
        received += m.events.length
        ctx.send(meta.from, { type: 'api.watch.ack', watchId: m.watchId, count: m.events.length } as ApiRequest)
      },
    }))
    ctx.ask(`apiserver-${i % 2}`, { type: 'api.watch', ...core('pods'), namespace: 'default', watchId: 'w', resourceVersion: '' } as ApiRequest, { timeoutMs: 60_000 })
  }
  await sim.run(100)
  const rounds = 50
  for (let r = 0; r < rounds; r++) {
    received = 0
    const t0 = performance.now()
    c.ask(`apiserver-${r % 2}`, { type: 'api.create', ...core('pods'), namespace: 'default', body: { metadata: { name: `p${r}` }, spec: { containers: [{ name: 'c', image: 'pause' }] } } } as ApiRequest, { timeoutMs: 60_000 })
    await sim.runUntil(() => received >= WATCHERS, 60_000)
    lastAt.push(performance.now() - t0)
  }
  console.log(`watch fan-out: ${WATCHERS} watchers on pods over 2 apiservers, ${rounds} writes`)
  console.log(`  write -> last watcher ${fmt(lastAt)}`)
}

/** The core alone: 1,000 in-process watch sinks (as the HTTP gateway holds them) on one instance. */
async function fanoutCore() {
  const sim = new Simulation({ seed: 1, latencyMs: [0, 0], traceDeliveries: false })
  const main = spawnFakeEtcd(sim, 'main', 1, 0)
  let server: ApiServer | undefined
  sim.spawn('apiserver-0', (ctx) => {
    server = new ApiServer(ctx, { index: 0, shards: { main: main.members }, resourceShards: {}, defaultShard: 'main', serviceCIDR: '127.96.0.0/16', watchCacheSize: 1000, requestTimeoutMs: 60_000 })
    void server.start()
    return {
      receive: async (msg, meta) => {
        if (msg.type === 'kv.watch.events' || msg.type === 'kv.watch.canceled') server!.onStoreWatch(msg as KvWatchEvents | KvWatchCanceled)
        else ctx.reply(meta, await server!.handle(msg as never))
      },
    }
  })
  await sim.runUntil(() => server?.ready() === true, 10_000)
  let received = 0
  let lastAt = 0
  for (let i = 0; i < WATCHERS; i++) {
    await server!.watch({ type: 'api.watch', ...core('pods'), namespace: 'default', watchId: `w${i}` }, {
      send: (evs) => { received += evs.length; lastAt = performance.now() },
      close: () => {},
    })
  }
  const c = sim.client('client-bench')
  const total: number[] = []
  for (let r = 0; r < 200; r++) {
    received = 0
    const t0 = performance.now()
    c.ask('apiserver-0', { type: 'api.create', ...core('pods'), namespace: 'default', body: { metadata: { name: `p${r}` }, spec: { containers: [{ name: 'c', image: 'pause' }] } } } as ApiRequest, { timeoutMs: 60_000 })
    await sim.runUntil(() => received >= WATCHERS, 60_000)
    total.push(lastAt - t0)
  }
  console.log(`watch fan-out, core only: ${WATCHERS} in-process watchers on pods, 200 writes`)
  console.log(`  write -> last watcher ${fmt(total)}`)
}

await crud(1)
await crud(2)
await fanoutCore()
await fanout()
