import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { KEvent, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import { EventRecorder } from '../../../actors/client/event-recorder.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

t.test('repeated events aggregate into one Event with count and timestamps', async (t) => {
  const seed = testSeed(41)
  t.comment(`seed ${seed}`)
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster()
  sim.spawn('apiserver-0', (ctx) => fakeApiServer({ cluster })(ctx, {}))
  const ctx = sim.client('client-events')
  const client = createApiClient(ctx, { apiservers: ['apiserver-0'] })
  // Let the recorder's queued write start before virtual time moves on.
  const settle = async () => {
    await new Promise((r) => setImmediate(r))
    await sim.run(1000)
  }
  const rec = new EventRecorder(ctx, client, { component: 'default-scheduler' })
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', uid: 'u1' }, spec: { containers: [] } }
  rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')
  await settle()
  rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')
  rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')
  rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web-1 to n1')
  await settle()
  const evs = cluster.all<KEvent>(R.events)
  t.equal(evs.length, 2)
  const failed = evs.find((e) => e.reason === 'FailedScheduling')!
  t.equal(failed.count, 3)
  t.equal(failed.metadata.namespace, 'prod')
  t.same(failed.involvedObject, { kind: 'Pod', namespace: 'prod', name: 'web-1', uid: 'u1', apiVersion: 'v1' })
  t.equal(failed.source?.component, 'default-scheduler')
  t.ok(Date.parse(failed.lastTimestamp!) - Date.parse(failed.firstTimestamp!) >= 1000, 'lastTimestamp moves, firstTimestamp stays')
  // The aggregated Event was deleted meanwhile (TTL): a fresh one is created.
  cluster.remove(R.events, 'prod', failed.metadata.name!)
  rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')
  await settle()
  const again = cluster.all<KEvent>(R.events).find((e) => e.reason === 'FailedScheduling')!
  t.equal(again.count, 1)
})

t.test('a create retried after its answer was lost is not a failure: the Event exists and aggregates', async (t) => {
  const sim = new Simulation({ seed: testSeed(43), traceDeliveries: false })
  const cluster = new FakeCluster()
  for (const id of ['apiserver-0', 'apiserver-1']) sim.spawn(id, (ctx) => fakeApiServer({ cluster })(ctx, {}))
  const ctx = sim.client('client-events')
  const client = createApiClient(ctx, { apiservers: ['apiserver-0', 'apiserver-1'] })
  const settle = async (ms: number) => {
    await new Promise((r) => setImmediate(r))
    await sim.run(ms)
  }
  const rec = new EventRecorder(ctx, client, { component: 'kubelet', host: 'n1' })
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2', namespace: 'prod', uid: 'u2' }, spec: { containers: [] } }
  // apiserver-0 creates the Event, but its answer never arrives: the client retries on apiserver-1.
  const heal = sim.drop({ from: ['apiserver-0'], to: ['client-events'], probability: 1 })
  rec.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine')
  await settle(30_000)
  heal()
  t.equal(cluster.all<KEvent>(R.events).length, 1, 'one Event')
  t.notOk(sim.trace.some((l) => l.includes('event write failed')), 'no failure logged')
  rec.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine')
  await settle(1000)
  const evs = cluster.all<KEvent>(R.events)
  t.equal(evs.length, 1)
  t.equal(evs[0]!.count, 2, 'the repeat aggregates into it')
})
