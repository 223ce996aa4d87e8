import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Lease, Pod, ReplicaSet } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { ControllerManagerArgs } from '../../../actors/args.ts'
import { create } from '../../../actors/controller-manager/actor.ts'
import { drive, FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const args: ControllerManagerArgs = {
  apiservers: ['apiserver-0'],
  lease: { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 },
  nodeMonitorGracePeriodMs: 60_000,
  podEvictionTimeoutMs: 60_000,
  resyncMs: 30_000,
}
const CMS = ['controller-manager-0', 'controller-manager-1']

t.test('only the leader acts; a graceful stop hands over within 300 ms, and the standby acts at once', async (t) => {
  const seed = testSeed(17)
  t.comment(`seed ${seed}`)
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster(20_000)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  for (const id of CMS) sim.spawn(id, (ctx) => create(ctx, args))
  const started = (id: string) => sim.trace.filter((l) => l.includes(` ${id} info controllers started`)).length
  t.ok(await sim.runUntil(() => CMS.some((id) => started(id) > 0), 5000), 'a leader started its controllers')
  const leader = CMS.find((id) => started(id) > 0)!
  const standby = CMS.find((id) => id !== leader)!
  await sim.run(2000)
  t.equal(started(standby), 0, 'the standby runs no controllers')

  cluster.put(R.replicasets, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', generation: 1 }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as ReplicaSet, sim.now())
  t.ok(await sim.runUntil(() => cluster.all<Pod>(R.pods).length === 3, 5000), 'the leader created the pods')
  const creators = new Set(cluster.all(R.events).map((e) => (e as { source?: { host?: string } }).source?.host))
  t.same([...creators], [leader], 'every event came from the leader')

  sim.note('graceful stop')
  const stoppedAt = sim.now()
  await drive(sim, sim.stop(leader))
  t.ok(await sim.runUntil(() => started(standby) > 0, 2000), 'the standby took over')
  const gap = sim.now() - stoppedAt
  t.ok(gap < 300, `handover after a graceful stop in ${Math.round(gap)} ms (< 300)`)
  t.equal(cluster.all<Lease>(R.leases).find((l) => l.metadata.name === 'kube-controller-manager')?.spec.holderIdentity?.split('_')[0], standby, 'the standby holds the lease (identity = actor name + incarnation)')

  // The new leader acts on existing state straight away: scale up.
  const rs = cluster.all<ReplicaSet>(R.replicasets)[0]!
  cluster.put(R.replicasets, { ...rs, spec: { ...rs.spec, replicas: 5 } }, sim.now())
  t.ok(await sim.runUntil(() => cluster.all<Pod>(R.pods).length === 5, 3000), 'the new leader scales the set')
  await sim.run(1000)
  t.equal(cluster.all<Pod>(R.pods).length, 5, 'and no further')
})
