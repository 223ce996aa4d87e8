import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import type { KObject, Status } from '../../../protocols/k8s.ts'
import type { ApiReply } from '../../../protocols/api.ts'
import { call, cluster, core, pod, watcher } from './setup.ts'

const seed = testSeed(21)

t.test('watch from a resourceVersion, 410 when too old, bookmarks', async (t) => {
  t.comment(`seed ${seed}`)
  const { sim } = await cluster(seed, 1, { watchCacheSize: 5, bookmarkIntervalMs: 1000 })
  const c = sim.client('client-w')
  const A = 'apiserver-0'
  const first = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod('a') })
  const rv0 = (first.body as KObject).metadata.resourceVersion!
  for (const n of ['b', 'c']) await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod(n) })
  const w = watcher(sim, 'client-watch')
  const r = await call(sim, w.ctx, A, { type: 'api.watch', ...core('pods'), namespace: 'default', watchId: 'w1', resourceVersion: rv0, allowWatchBookmarks: true })
  t.equal(r.code, 200)
  await sim.run(50)
  t.same(w.got.filter((g) => g.ev.type !== 'BOOKMARK').map((g) => `${g.ev.type} ${(g.ev.object as KObject).metadata.name}`), ['ADDED b', 'ADDED c'], 'replays events after the RV')
  await sim.run(1500)
  const bm = w.got.filter((g) => g.ev.type === 'BOOKMARK')
  t.ok(bm.length >= 1, 'bookmark sent')
  t.ok(Number((bm[0]!.ev.object as KObject).metadata.resourceVersion) >= Number(rv0))

  // push the window past rv0: 5 events kept
  for (let i = 0; i < 8; i++) await call(sim, c, A, { type: 'api.create', ...core('configmaps'), namespace: 'default', body: { metadata: { name: `x${i}` } } })
  for (let i = 0; i < 8; i++) await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod(`p${i}`) })
  await sim.run(50)
  const old = await call(sim, w.ctx, A, { type: 'api.watch', ...core('pods'), namespace: 'default', watchId: 'w2', resourceVersion: rv0 })
  t.equal(old.code, 410)
  t.equal((old.body as Status).reason, 'Expired')

  // no RV: ADDED for every existing object
  const w3 = watcher(sim, 'client-watch3')
  await call(sim, w3.ctx, A, { type: 'api.watch', ...core('pods'), namespace: 'default', watchId: 'w3', labelSelector: 'app=web' })
  await sim.run(50)
  t.equal(w3.got.filter((g) => g.ev.type === 'ADDED').length, 11)
})

t.test('a watcher that does not acknowledge is cut off without 410', async (t) => {
  const { sim } = await cluster(seed + 1, 1, { maxUnacked: 3 })
  const c = sim.client('client-w')
  const A = 'apiserver-0'
  const w = watcher(sim, 'client-slow', { ack: false })
  await call(sim, w.ctx, A, { type: 'api.watch', ...core('pods'), namespace: 'default', watchId: 's' })
  for (let i = 0; i < 6; i++) await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod(`p${i}`) })
  await sim.run(50)
  t.equal(w.closed.length, 1)
  t.not(w.closed[0]!.status?.code, 410)
  t.ok(w.got.length <= 4, 'no more events after the cut')
})

t.test('an API server crashes under a watcher: re-watch through another loses and repeats nothing', async (t) => {
  const { sim, main } = await cluster(seed + 2, 2)
  const writer = sim.client('client-writer')
  const w = watcher(sim, 'client-watcher')
  let lastRv = ''
  let via = 'apiserver-0'
  let watchNo = 0
  const seen: string[] = []
  const startWatch = async () => {
    watchNo++
    const r: ApiReply = await call(sim, w.ctx, via, { type: 'api.watch', ...core('pods'), watchId: `w${watchNo}`, resourceVersion: lastRv })
    t.equal(r.code, 200, `watch ${watchNo} via ${via}`)
  }
  const first = await call(sim, writer, 'apiserver-1', { type: 'api.list', ...core('pods') })
  lastRv = (first.body as unknown as { metadata: { resourceVersion: string } }).metadata.resourceVersion
  await startWatch()
  let n = 0
  const written: string[] = []
  const write = async () => {
    const i = n++
    const r = await call(sim, writer, 'apiserver-1', { type: 'api.create', ...core('pods'), namespace: 'default', body: pod(`p${i}`) })
    written.push(`${(r.body as KObject).metadata.resourceVersion} ADDED p${i}`)
    if (i % 3 === 0) {
      const d = await call(sim, writer, 'apiserver-1', { type: 'api.delete', ...core('pods'), namespace: 'default', name: `p${i}` })
      written.push(`${(d.body as KObject).metadata.resourceVersion} DELETED p${i}`)
    }
    return r
  }
  const drain = () => {
    for (const g of w.got.splice(0)) {
      if (g.watchId !== `w${watchNo}` || g.ev.type === 'BOOKMARK') continue
      const o = g.ev.object as KObject
      seen.push(`${o.metadata.resourceVersion} ${g.ev.type} ${o.metadata.name}`)
      lastRv = o.metadata.resourceVersion!
    }
  }
  for (let k = 0; k < 10; k++) {
    await write()
    drain()
  }
  sim.crash('apiserver-0')
  for (let k = 0; k < 5; k++) await write() // written while the watcher has no server
  drain()
  via = 'apiserver-1'
  await startWatch()
  // the store replica serving apiserver-1's store watch crashes too: it must re-watch elsewhere
  sim.crash('etcd-main-0')
  for (let k = 0; k < 10; k++) {
    await write()
    await sim.run(20)
    drain()
  }
  await sim.run(5000)
  drain()
  const expected = main.history
    .filter((h) => h.event.kv.key.startsWith('/registry/pods/'))
    .map((h) => `${h.revision} ${h.event.type === 'put' ? (h.event.kv.version === 1 ? 'ADDED' : 'MODIFIED') : 'DELETED'} ${h.event.kv.key.split('/').pop()}`)
  t.same(seen, written, 'exactly what was written, in order')
  t.equal(seen.length, 25 + 9)
  if (process.env.APISERVER_ETCD !== 'real') {
    t.same(seen, expected, 'exactly the store history, in order')
    t.ok(sim.trace.some((l) => l.includes('apiserver-1 warn apiserver store watch silent')), 'the store watch moved off the crashed replica')
  }
})
