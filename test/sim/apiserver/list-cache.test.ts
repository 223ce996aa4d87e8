// Consistent lists are served from the watch cache once it has caught up with the store (a cheap
// count tells the store's revision), as kube-apiserver does with ConsistentListFromCache; pages
// after the first come from the store at the first page's revision; a cache that does not catch
// up in time leaves the list to the store.
import t from 'tap'
import type { ApiReply } from '../../../protocols/api.ts'
import type { KObject } from '../../../protocols/k8s.ts'
import type { KvRange } from '../../../protocols/kv.ts'
import { Simulation } from '../../../runtime/sim/simulator.ts'
import { createApiServer } from '../../../actors/apiserver/actor.ts'
import { FakeEtcdStore, createFakeEtcd } from '../../helpers/fake-etcd.ts'
import { call, core } from './setup.ts'

const API = 'apiserver-0'

async function setup(seed: number) {
  const sim = new Simulation({ seed, latencyMs: [1, 3], traceDeliveries: false })
  const ranges: KvRange[] = []
  const stores: Record<string, FakeEtcdStore> = {}
  const shards: Record<string, string[]> = {}
  for (const shard of ['main', 'events']) {
    const store = (stores[shard] = new FakeEtcdStore(shard))
    shards[shard] = [0, 1, 2].map((i) => `etcd-${shard}-${i}`)
    for (const id of shards[shard]) {
      sim.spawn(id, (ctx) => {
        const b = createFakeEtcd(ctx, { store, progressMs: 500 })
        const receive = b.receive.bind(b)
        b.receive = (msg, meta) => {
          if (msg.type === 'kv.range' && shard === 'main') ranges.push(msg as unknown as KvRange)
          return receive(msg, meta)
        }
        return b
      })
    }
  }
  sim.spawn(API, (ctx) => createApiServer({ cacheFreshWaitMs: 1000 })(ctx, { index: 0, shards, resourceShards: { events: 'events' }, defaultShard: 'main', serviceCIDR: '127.96.0.0/16', watchCacheSize: 100, requestTimeoutMs: 5000 }))
  if (!(await sim.runUntil(() => sim.reports.get(API)?.ready === true, 20_000))) throw new Error('apiserver not ready')
  const c = sim.client('test-client')
  const req = (r: Record<string, unknown>) => call(sim, c, API, r as never)
  const create = (name: string) => req({ type: 'api.create', ...core('configmaps'), namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } } })
  const list = async (extra: Record<string, unknown> = {}) => {
    const r: ApiReply = await req({ type: 'api.list', ...core('configmaps'), namespace: 'default', ...extra })
    if (r.code !== 200) throw new Error(`list: ${r.code} ${JSON.stringify(r.body)}`)
    return r.body as unknown as { items: KObject[]; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } }
  }
  return { sim, ranges, stores, create, list, req }
}

/** Ranges that read objects (not the count that asks the store's revision). */
const reads = (ranges: KvRange[]) => ranges.filter((r) => !r.countOnly)

t.test('a consistent list reads its own writes from the cache, with one count from the store', async (t) => {
  const { ranges, create, list } = await setup(1)
  for (let i = 0; i < 20; i++) t.equal((await create(`cm-${String(i).padStart(2, '0')}`)).code, 201)
  ranges.length = 0
  const l = await list()
  t.equal(l.items.length, 20, 'every object, the last create included')
  t.equal(l.items.at(-1)?.metadata.name, 'cm-19')
  t.same(reads(ranges), [], 'no object read from the store')
  t.equal(ranges.filter((r) => r.countOnly).length, 1, 'one count for the current revision')
  const sel = await list({ labelSelector: 'app=none' })
  t.same(sel.items, [], 'selectors apply to cached objects')
})

t.test('pages: the first from the cache, the rest from the store at the same revision', async (t) => {
  const { ranges, create, list } = await setup(2)
  for (let i = 0; i < 20; i++) await create(`cm-${String(i).padStart(2, '0')}`)
  ranges.length = 0
  const p1 = await list({ limit: 7 })
  t.equal(p1.items.length, 7)
  t.equal(p1.metadata.remainingItemCount, 13)
  t.ok(p1.metadata.continue, 'a continue token')
  t.same(reads(ranges), [], 'the first page came from the cache')
  // Written after the first page: the later pages are of the first page's snapshot.
  await create('cm-99')
  ranges.length = 0
  const names = p1.items.map((o) => o.metadata.name)
  let cont = p1.metadata.continue
  while (cont) {
    const p = await list({ limit: 7, continue: cont })
    t.equal(p.metadata.resourceVersion, p1.metadata.resourceVersion, 'same revision as the first page')
    names.push(...p.items.map((o) => o.metadata.name!))
    cont = p.metadata.continue
  }
  t.same(names, Array.from({ length: 20 }, (_, i) => `cm-${String(i).padStart(2, '0')}`), 'each object once, in order, none written later')
  const later = reads(ranges)
  t.equal(later.length, 2, 'two pages read from the store')
  t.ok(later.every((r) => r.revision === Number(p1.metadata.resourceVersion)), 'at the first page\'s revision')
  t.ok(later.every((r) => r.key > '/registry/configmaps/default/cm-06'), 'from where the previous page ended')
})

t.test('a cache that does not catch up in time: the store answers, with the latest write', async (t) => {
  const { sim, ranges, stores, create, list } = await setup(3)
  await create('before')
  // The store stops delivering watch events (and progress) to the apiserver.
  const main = stores.main!
  const pump = main.pump.bind(main)
  const progress = main.progress.bind(main)
  main.pump = () => {}
  main.progress = () => {}
  await create('after')
  ranges.length = 0
  const t0 = sim.now()
  const l = await list()
  t.same(l.items.map((o) => o.metadata.name), ['after', 'before'])
  t.equal(reads(ranges).length, 1, 'read from the store')
  t.ok(sim.now() - t0 >= 1000, 'after waiting cacheFreshWaitMs for the cache')
  main.pump = pump
  main.progress = progress
  main.pump()
  ranges.length = 0
  t.equal((await list()).items.length, 2)
  t.same(reads(ranges), [], 'from the cache again once it caught up')
  // resourceVersion=0 is served from the cache as it is, without asking the store.
  ranges.length = 0
  t.equal((await list({ resourceVersion: '0' })).items.length, 2)
  t.same(ranges, [])
  // A list left to the store that names one object reads that key alone, not the whole prefix.
  main.pump = () => {}
  main.progress = () => {}
  await create('third')
  ranges.length = 0
  const one = await list({ fieldSelector: 'metadata.name=third' })
  t.same(one.items.map((o) => o.metadata.name), ['third'])
  t.same(reads(ranges).map((r) => [r.key, r.end]), [['/registry/configmaps/default/third', undefined]], 'one key read')
  ranges.length = 0
  t.same((await list({ fieldSelector: 'metadata.name=nope' })).items, [])
  t.same(reads(ranges).map((r) => r.key), ['/registry/configmaps/default/nope'])
})

t.test('resourceVersion=0 while the watch cache is still being filled: 503 with Retry-After (the client asks another instance), not a read of the store', async (t) => {
  const { sim, ranges, create, req } = await setup(4)
  await create('a')
  // The apiserver restarts; its first list of the shard is held back, so its caches stay empty.
  const main = ['etcd-main-0', 'etcd-main-1', 'etcd-main-2']
  const heal = sim.partition([API], main)
  sim.restart(API)
  await sim.run(50)
  ranges.length = 0
  const r: ApiReply = await req({ type: 'api.list', ...core('configmaps'), namespace: 'default', resourceVersion: '0' })
  t.equal(r.code, 503)
  t.match((r.body as { message: string }).message, /storage is \(re\)initializing: configmaps/)
  t.equal((r.body as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds, 1)
  t.same(ranges.filter((x) => !x.countOnly && x.key.startsWith('/registry/configmaps/')), [], 'the store was not asked for the list')
  heal()
  await sim.runUntil(() => sim.reports.get(API)?.ready === true, 20_000)
  const l: ApiReply = await req({ type: 'api.list', ...core('configmaps'), namespace: 'default', resourceVersion: '0' })
  t.equal(l.code, 200)
  t.equal((l.body as unknown as { items: unknown[] }).items.length, 1, 'served from the filled cache')
})

t.test('a merge patch starts from the cached object; when the cache is behind, the write fails once and the store is read', async (t) => {
  const { sim, ranges, create, req } = await setup(3)
  t.equal((await create('p1')).code, 201)
  await sim.run(200)
  const key = '/registry/configmaps/default/p1'
  const patch = (data: Record<string, string>) => req({ type: 'api.patch', ...core('configmaps'), namespace: 'default', name: 'p1', patchType: 'merge', patch: { data } })
  ranges.length = 0
  const r = await patch({ a: '1' })
  t.equal(r.code, 200)
  t.same(reads(ranges).filter((x) => x.key === key), [], 'no read of the object from the store')
  await sim.run(200)
  // Two patches at once: the second starts from a cache that has not seen the first.
  ranges.length = 0
  const c = sim.client('test-client-2')
  const both = await Promise.all([
    call(sim, c, API, { type: 'api.patch', ...core('configmaps'), namespace: 'default', name: 'p1', patchType: 'merge', patch: { data: { b: '2' } } } as never),
    patch({ c: '3' }),
  ])
  t.same(both.map((x) => x.code), [200, 200])
  t.ok(reads(ranges).some((x) => x.key === key), 'the patch that lost the race read the store')
  const got = await req({ type: 'api.get', ...core('configmaps'), namespace: 'default', name: 'p1' })
  t.same((got.body as KObject & { data: Record<string, string> }).data, { k: 'p1', a: '1', b: '2', c: '3' }, 'both patches are in')
  // A patch that changes nothing against the cache's copy is confirmed against the store.
  ranges.length = 0
  const same = await patch({ a: '1' })
  t.equal(same.code, 200)
  t.ok(reads(ranges).some((x) => x.key === key), 'a no-op against the cache reads the store before answering')
})
