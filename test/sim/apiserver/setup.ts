// Shared set-up for API server simulation tests: fake etcd shards, API servers, a test client.
import { Simulation } from '../../../runtime/sim/simulator.ts'
import type { Ctx } from '../../../runtime/actor.ts'
import type { ApiServerArgs } from '../../../actors/args.ts'
import type { ApiReply, ApiRequest, ApiWatchClosed, ApiWatchEvents, WatchEvent } from '../../../protocols/api.ts'
import { createApiServer, type ApiServerActorOptions } from '../../../actors/apiserver/actor.ts'
import { spawnFakeEtcd, type FakeEtcdStore } from '../../helpers/fake-etcd.ts'

export interface Cluster {
  sim: Simulation
  main: FakeEtcdStore
  events: FakeEtcdStore
  args: (i: number) => ApiServerArgs
  spawnApi: (i: number) => void
}

export async function cluster(seed: number, apis = 1, opts: ApiServerActorOptions & { watchCacheSize?: number; args?: Partial<ApiServerArgs> } = {}): Promise<Cluster> {
  const sim = new Simulation({ seed, latencyMs: [1, 3], traceDeliveries: false })
  // APISERVER_ETCD=real runs the same tests over the real etcd replicas (actors/etcd); checks
  // that read the fake store's history then see the fake's (empty) view and are meaningless.
  const real = process.env.APISERVER_ETCD === 'real'
  const createEtcd = real ? (await import('../../../actors/etcd/actor.ts')).create : undefined
  const spawnShard = (shard: string) => {
    if (!real) return spawnFakeEtcd(sim, shard, 3)
    const fake = spawnFakeEtcd(sim, `${shard}x`, 0)
    const members = [0, 1, 2].map((i) => `etcd-${shard}-${i}`)
    for (const id of members) {
      sim.spawn(id, (ctx) => createEtcd!(ctx, { shard, members, heartbeatMs: 50, electionTimeoutMs: [500, 1000], snapshotEntries: 100, historyRevisions: 100_000, storage: 'disk', fsync: true }), { disk: true })
    }
    return { store: fake.store, members }
  }
  const main = spawnShard('main')
  const events = spawnShard('events')
  const args = (i: number): ApiServerArgs => ({
    index: i,
    shards: { main: main.members, events: events.members },
    resourceShards: { events: 'events' },
    defaultShard: 'main',
    serviceCIDR: '127.96.0.0/16',
    watchCacheSize: opts.watchCacheSize ?? 100,
    requestTimeoutMs: 2000,
    ...opts.args,
  })
  const factory = createApiServer(opts)
  const spawnApi = (i: number) => {
    sim.spawn(`apiserver-${i}`, (ctx) => factory(ctx, args(i)))
  }
  for (let i = 0; i < apis; i++) spawnApi(i)
  const ok = await sim.runUntil(() => [...Array(apis).keys()].every((i) => sim.reports.get(`apiserver-${i}`)?.ready === true), 20_000)
  if (!ok) throw new Error('apiservers not ready')
  return { sim, main: main.store, events: events.store, args, spawnApi }
}

/** Ask and wait in virtual time. */
export async function call(sim: Simulation, c: Ctx, to: string, req: ApiRequest, timeoutMs = 5000): Promise<ApiReply> {
  let out: ApiReply | Error | undefined
  c.ask<ApiReply>(to, req, { timeoutMs }).then((r) => { out = r }, (e: Error) => { out = e })
  await sim.runUntil(() => out !== undefined, timeoutMs + 10)
  if (out instanceof Error) throw out
  if (!out) throw new Error('no reply')
  return out
}

/** A test watcher actor that records events and acks them. */
export function watcher(sim: Simulation, id: string, opts: { ack?: boolean } = {}) {
  const got: Array<{ watchId: string; ev: WatchEvent }> = []
  const closed: ApiWatchClosed[] = []
  const ctx = sim.spawn(id, (ctx) => ({
    receive(msg, meta) {
      if (msg.type === 'api.watch.events') {
        const m = msg as ApiWatchEvents
        for (const ev of m.events) got.push({ watchId: m.watchId, ev })
        if (opts.ack !== false) ctx.send(meta.from, { type: 'api.watch.ack', watchId: m.watchId, count: m.events.length } as ApiRequest)
      } else if (msg.type === 'api.watch.closed') closed.push(msg as ApiWatchClosed)
    },
  }))
  return { ctx, got, closed }
}

export const pod = (name: string, ns = 'default', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
  ...extra,
})

export const core = (resource: string) => ({ group: '', version: 'v1', resource })
