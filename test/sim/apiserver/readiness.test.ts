import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import { createApiServer } from '../../../actors/apiserver/actor.ts'
import { spawnFakeEtcd } from '../../helpers/fake-etcd.ts'
import type { KObject } from '../../../protocols/k8s.ts'
import { call, core } from './setup.ts'

const seed = testSeed(41)

t.test('ready only once the shards answer; 503 while etcd is down; ping', async (t) => {
  t.comment(`seed ${seed}`)
  const sim = new Simulation({ seed, latencyMs: [1, 3], traceDeliveries: false })
  const main = spawnFakeEtcd(sim, 'main', 3)
  for (const m of main.members) sim.crash(m)
  sim.spawn('apiserver-0', (ctx) => createApiServer()(ctx, {
    index: 0, shards: { main: main.members }, resourceShards: {}, defaultShard: 'main',
    serviceCIDR: '127.96.0.0/16', watchCacheSize: 100, requestTimeoutMs: 1000,
  }))
  const c = sim.client('client-p')
  await sim.run(3000)
  t.equal(sim.reports.get('apiserver-0')?.ready, false, 'not ready without etcd')
  const ping = await call(sim, c, 'apiserver-0', { type: 'api.ping' })
  t.equal(ping.code, 503)
  const down = await call(sim, c, 'apiserver-0', { type: 'api.get', ...core('namespaces'), name: 'default' })
  t.equal(down.code, 503, 'etcd unreachable is 503')

  sim.restart(main.members[2]!)
  t.ok(await sim.runUntil(() => sim.reports.get('apiserver-0')?.ready === true, 10_000), 'ready once a replica answers')
  t.equal((await call(sim, c, 'apiserver-0', { type: 'api.ping' })).code, 200)
  const ns = await call(sim, c, 'apiserver-0', { type: 'api.get', ...core('namespaces'), name: 'kube-system' })
  t.equal((ns.body as KObject).metadata.name, 'kube-system', 'default namespaces created')
})
