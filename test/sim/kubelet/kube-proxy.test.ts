import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Endpoints, Service } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { create as createProxy, type KubeProxy } from '../../../actors/kube-proxy/actor.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.10', ports: [{ port: 80, targetPort: 8080 }] } }
const ep = (ready: string[], notReady: string[] = []): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: ready.map((ip) => ({ ip })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
})

t.test('kube-proxy rules follow Services and Endpoints within one watch event', async (t) => {
  const seed = testSeed(71)
  t.comment(`seed ${seed}`)
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster()
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  sim.spawn('kube-proxy@node-0', (ctx) => createProxy(ctx, { apiservers: ['apiserver-0'], node: 'node-0', mode: 'random', proxyTcp: false }))
  const proxy = () => sim.behaviour('kube-proxy@node-0') as KubeProxy
  const eps = () => proxy().rules.get('default/web:')?.endpoints.map((e) => e.ip) ?? []
  await sim.run(1000)
  cluster.put(R.services, svc)
  cluster.put(R.endpoints, ep(['127.244.0.2', '127.244.1.2', '127.244.2.2']))
  t.ok(await sim.runUntil(() => eps().length === 3, 5000))
  t.same(proxy().rules.get('default/web:')?.endpoints.map((e) => e.probability), [1 / 3, 1 / 2, 1])

  // A pod fails readiness: the endpoints controller moves it to notReadyAddresses.
  cluster.put(R.endpoints, ep(['127.244.0.2', '127.244.2.2'], ['127.244.1.2']))
  const before = sim.now()
  t.ok(await sim.runUntil(() => eps().length === 2, 5000))
  t.ok(sim.now() - before <= 20, `applied on the watch event's delivery (${sim.now() - before} ms)`)
  t.same(eps(), ['127.244.0.2', '127.244.2.2'])

  await sim.run(500)
  const info = sim.reports.get('kube-proxy@node-0')?.info as { iptables: string[]; services: number }
  t.equal(info.services, 1)
  t.ok(info.iptables.some((l) => l.includes('--probability 0.50000000000')), 'the table is visible in the status report')
  t.equal(sim.reports.get('kube-proxy@node-0')?.ready, true)

  cluster.remove(R.services, 'default', 'web')
  t.ok(await sim.runUntil(() => proxy().rules.size === 0, 5000), 'service removed: rules gone')
})
