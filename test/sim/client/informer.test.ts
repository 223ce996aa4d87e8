import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Behaviour, Ctx } from '../../../runtime/actor.ts'
import type { Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import { Informer } from '../../../actors/client/informer.ts'
import type { ApiClient } from '../../../actors/client/types.ts'
import { FakeCluster, fakeApiServer, drive } from '../../helpers/fake-apiserver.ts'

const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c', image: 'x' }] },
})

interface Probe {
  client: ApiClient
  inf: Informer<Pod>
  seen: string[]
}

function setup(seed: number, opts: { historySize?: number; resyncMs?: number; firstListFromCache?: boolean } = {}) {
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster(opts.historySize)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  sim.spawn('apiserver-1', (ctx) => api(ctx, {}))
  let probe: Probe | undefined
  sim.spawn('scheduler-0', (ctx: Ctx): Behaviour => {
    const client = createApiClient(ctx, { apiservers: ['apiserver-0', 'apiserver-1'], requestTimeoutMs: 500 })
    const inf = new Informer<Pod>(ctx, client, R.pods, {
      resyncMs: opts.resyncMs,
      firstListFromCache: opts.firstListFromCache,
      indexers: { app: (p) => (p.metadata.labels?.app ? [p.metadata.labels.app] : []) },
    })
    const seen: string[] = []
    inf.addHandler({
      onAdd: (p) => seen.push(`add ${p.metadata.name}`),
      onUpdate: (_o, p) => seen.push(`update ${p.metadata.name}`),
      onDelete: (p) => seen.push(`delete ${p.metadata.name}`),
    })
    probe = { client, inf, seen }
    return { start: () => inf.start(), receive: (m, meta) => void client.handle(m, meta) }
  })
  return { sim, cluster, probe: () => probe as Probe }
}

t.test('informer lists, watches, indexes and follows changes', async (t) => {
  const seed = testSeed(11)
  t.comment(`seed ${seed}`)
  const { sim, cluster, probe } = setup(seed)
  cluster.put(R.pods, pod('a', { app: 'web' }))
  await sim.run(100)
  const p = probe()
  t.ok(p.inf.hasSynced())
  t.same(p.seen, ['add a'])
  cluster.put(R.pods, pod('b', { app: 'web' }))
  cluster.put(R.pods, pod('a', { app: 'db' }))
  await sim.run(100)
  t.same(p.seen, ['add a', 'add b', 'update a'])
  t.same(p.inf.byIndex('app', 'web').map((x) => x.metadata.name), ['b'])
  t.equal(p.inf.get('default', 'a')?.metadata.labels?.app, 'db')
  cluster.remove(R.pods, 'default', 'b')
  await sim.run(100)
  t.same(p.seen.at(-1), 'delete b')
  t.equal(p.inf.list().length, 1)
  t.same(p.inf.byIndex('app', 'web'), [])
  t.ok((cluster.requests.get('api.watch.ack') ?? 0) >= 3, 'each watch batch acknowledged')
})

t.test('fails over when its API server dies; watch resumes from its RV with no event lost', async (t) => {
  const seed = testSeed(12)
  t.comment(`seed ${seed}`)
  const { sim, cluster, probe } = setup(seed)
  cluster.put(R.pods, pod('a'))
  await sim.run(100)
  sim.crash('apiserver-0')
  cluster.put(R.pods, pod('b'))
  cluster.put(R.pods, pod('c'))
  await sim.run(3000)
  const p = probe()
  t.equal(p.client.current, 'apiserver-1')
  t.same(p.inf.list().map((x) => x.metadata.name).sort(), ['a', 'b', 'c'])
  t.same(p.seen, ['add a', 'add b', 'add c'])
  t.ok(sim.trace.some((l) => l.includes('apiserver.client.failover')), 'failover logged')
  const got = await drive(sim, p.client.get<Pod>(R.pods, 'default', 'b'))
  t.equal(got?.metadata.name, 'b')
  t.equal(await drive(sim, p.client.get(R.pods, 'default', 'zzz')), undefined)
  await t.rejects(drive(sim, p.client.create(R.pods, 'default', pod('a'))), { code: 'API_ALREADY_EXISTS' })
  await t.rejects(drive(sim, p.client.update(R.pods, 'default', { ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: '1' } })), { code: 'API_CONFLICT' })
})

t.test('re-lists on 410 Gone and on resync', async (t) => {
  const seed = testSeed(13)
  t.comment(`seed ${seed}`)
  const { sim, cluster, probe } = setup(seed, { historySize: 3, resyncMs: 5000 })
  cluster.put(R.pods, pod('a'))
  await sim.run(100)
  // Kill the instance serving the watch, then make history move past the informer's RV.
  sim.crash('apiserver-0')
  for (let i = 0; i < 6; i++) cluster.put(R.pods, pod(`p${i}`))
  cluster.remove(R.pods, 'default', 'a')
  await sim.run(3000)
  const p = probe()
  t.ok(sim.trace.some((l) => l.includes('watch.relisted')), 'relisted on 410')
  t.same(p.inf.list().map((x) => x.metadata.name).sort(), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'])
  t.ok(p.seen.includes('delete a'))
  const before = p.seen.filter((s) => s.startsWith('update')).length
  await sim.run(5000)
  const after = p.seen.filter((s) => s.startsWith('update')).length
  t.ok(after - before >= 6, 'resync fires onUpdate for unchanged objects')
})

t.test('firstListFromCache: the first list asks for resourceVersion 0, re-lists are consistent', async (t) => {
  const { sim, cluster, probe } = setup(testSeed(14), { historySize: 3, firstListFromCache: true })
  cluster.put(R.pods, pod('a'))
  await sim.run(100)
  sim.crash('apiserver-0')
  for (let i = 0; i < 6; i++) cluster.put(R.pods, pod(`p${i}`))
  await sim.run(3000)
  t.ok(sim.trace.some((l) => l.includes('watch.relisted')), 'relisted on 410')
  t.equal(probe().inf.list().length, 7)
  t.equal(cluster.listRVs[0], '0')
  t.ok(cluster.listRVs.length >= 2 && cluster.listRVs.slice(1).every((rv) => rv === ''), `later lists consistent: ${cluster.listRVs.join(',')}`)
  const plain = setup(testSeed(15))
  await plain.sim.run(100)
  t.same(plain.cluster.listRVs, [''], 'without the option, the first list is consistent too')
})

t.test('a request to an instance that stops answering fails over; none answering is API_UNAVAILABLE', async (t) => {
  const seed = testSeed(14)
  t.comment(`seed ${seed}`)
  const { sim, cluster, probe } = setup(seed)
  cluster.put(R.pods, pod('a'))
  await sim.run(100)
  const p = probe()
  sim.pause('apiserver-0')
  const start = sim.now()
  const got = await drive(sim, p.client.get<Pod>(R.pods, 'default', 'a'))
  t.equal(got?.metadata.name, 'a')
  t.equal(p.client.current, 'apiserver-1')
  t.ok(sim.now() - start >= 500, 'after the request timeout')
  const line = sim.trace.find((l) => l.includes('apiserver.client.failover'))
  t.match(line, /"event":"apiserver.client.failover","client":"scheduler-0","from":"apiserver-0","to":"apiserver-1"/)
  sim.pause('apiserver-1')
  await t.rejects(drive(sim, p.client.get(R.pods, 'default', 'a')), { code: 'API_UNAVAILABLE' })
  sim.resume('apiserver-0')
  sim.resume('apiserver-1')
})

t.test('list retries back off while no API server answers, and recover when one does', async (t) => {
  const seed = testSeed(15)
  t.comment(`seed ${seed}`)
  const { sim, cluster, probe } = setup(seed)
  cluster.put(R.pods, pod('a'))
  await sim.run(100)
  const failedLists = () => sim.trace.filter((l) => l.includes('informer list failed')).length
  sim.pause('apiserver-0')
  sim.pause('apiserver-1')
  // The watch breaks, the re-list fails; every attempt waits for both request timeouts (2 x 500 ms).
  probe().inf.stop()
  probe().inf.start()
  await sim.run(60_000)
  const failed = failedLists()
  // Without backoff: one attempt per 1.2 s, about 50 in a minute. With it: delays double to 3.2 s.
  t.ok(failed >= 8 && failed <= 25, `${failed} failed lists in a minute`)
  sim.resume('apiserver-0')
  sim.resume('apiserver-1')
  cluster.put(R.pods, pod('b'))
  await sim.run(6_000)
  t.same(probe().inf.list().map((x) => x.metadata.name).sort(), ['a', 'b'], 'back in sync within the longest delay')
})
