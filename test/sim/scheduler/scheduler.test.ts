import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { KEvent, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { SchedulerArgs } from '../../../actors/args.ts'
import { create } from '../../../actors/scheduler/actor.ts'
import { milliCpu } from '../../../protocols/quantity.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'
import { node, pod } from '../../unit/scheduler/fixtures.ts'

const args: SchedulerArgs = {
  apiservers: ['apiserver-0', 'apiserver-1'],
  lease: { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 },
  schedulerName: 'default-scheduler',
  percentageOfNodesToScore: 0,
}

function setup(seed: number, schedulers = 2) {
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster()
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  sim.spawn('apiserver-1', (ctx) => api(ctx, {}))
  const ids = Array.from({ length: schedulers }, (_, i) => `scheduler-${i}`)
  for (const id of ids) sim.spawn(id, (ctx) => create(ctx, { ...args, apiservers: id.endsWith('1') ? ['apiserver-1', 'apiserver-0'] : args.apiservers }))
  const leader = () => ids.find((id) => sim.has(id) && sim.reports.get(id)?.info?.leader === true)
  const pods = () => cluster.all<Pod>(R.pods)
  return { sim, cluster, ids, leader, pods }
}

t.test('two schedulers, the leader crashes mid-way: every pod bound exactly once, no node overbooked', async (t) => {
  const seed = testSeed(31)
  t.comment(`seed ${seed}`)
  const { sim, cluster, leader, pods } = setup(seed)
  for (let i = 0; i < 4; i++) cluster.put(R.nodes, node(`node-${i}`, { cpu: '4', memory: '8Gi' }))
  await sim.run(1500)
  const first = leader()
  t.ok(first, 'a leader')
  for (let i = 0; i < 15; i++) cluster.put(R.pods, pod(`web-${i}`, { cpu: '500m', memory: '512Mi', owner: 'web' }))
  await sim.run(30)
  sim.crash(first!)
  for (let i = 15; i < 30; i++) cluster.put(R.pods, pod(`web-${i}`, { cpu: '500m', memory: '512Mi', owner: 'web' }))
  const ok = await sim.runUntil(() => pods().every((p) => p.spec.nodeName), 10_000)
  t.ok(ok, 'all pods bound')
  t.not(leader(), first, 'the standby took over')
  const boundBy = new Map<string, number>()
  for (const b of cluster.bindings) boundBy.set(b.pod, (boundBy.get(b.pod) ?? 0) + 1)
  t.equal(boundBy.size, 30)
  t.ok([...boundBy.values()].every((n) => n === 1), 'each pod bound once')
  t.notOk(sim.trace.some((l) => l.includes('binding refused')), 'no conflicting bind attempt')
  const perNode = new Map<string, number>()
  for (const p of pods()) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + milliCpu(p.spec.containers[0]!.resources!.requests!.cpu!))
  t.ok([...perNode.values()].every((m) => m <= 4000), `cpu within allocatable: ${[...perNode.values()].join(',')}`)
  t.ok(perNode.size === 4, 'spread over all nodes')
  await sim.run(500)
  const events = cluster.all<KEvent>(R.events)
  t.equal(events.filter((e) => e.reason === 'Scheduled').length, 30)
  t.match(events.find((e) => e.reason === 'Scheduled')!.message, /^Successfully assigned default\/web-\d+ to node-\d$/)
})

t.test('unschedulable pods get FailedScheduling and are placed when a node fits', async (t) => {
  const seed = testSeed(32)
  t.comment(`seed ${seed}`)
  const { sim, cluster, pods } = setup(seed, 1)
  cluster.put(R.nodes, node('small-0', { cpu: '1' }))
  cluster.put(R.nodes, node('tainted-0', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }))
  cluster.put(R.nodes, node('small-1', { cpu: '1' }))
  await sim.run(1500)
  cluster.put(R.pods, pod('big', { cpu: '2' }))
  await sim.run(1000)
  const big = () => pods().find((p) => p.metadata.name === 'big')!
  t.notOk(big().spec.nodeName)
  const ev = cluster.all<KEvent>(R.events).find((e) => e.reason === 'FailedScheduling')
  t.equal(ev?.message, '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.')
  t.equal(ev?.type, 'Warning')
  const cond = big().status?.conditions?.find((c) => c.type === 'PodScheduled')
  t.equal(cond?.reason, 'Unschedulable')
  // A new node that fits: the pod is retried at once (not at the periodic flush).
  cluster.put(R.nodes, node('large-0', { cpu: '4' }))
  const placed = await sim.runUntil(() => big().spec.nodeName === 'large-0', 2000)
  t.ok(placed, 'scheduled onto the new node')
  // A bound pod going away also frees room.
  cluster.put(R.pods, pod('big2', { cpu: '3' }))
  await sim.run(1000)
  t.notOk(pods().find((p) => p.metadata.name === 'big2')!.spec.nodeName)
  cluster.remove(R.pods, 'default', 'big')
  t.ok(await sim.runUntil(() => pods().find((p) => p.metadata.name === 'big2')!.spec.nodeName === 'large-0', 2000), 'placed after a pod left')
})

t.test('standbys never bind; a pod owned by another scheduler is left alone', async (t) => {
  const seed = testSeed(33)
  t.comment(`seed ${seed}`)
  const { sim, cluster, pods, leader } = setup(seed, 3)
  cluster.put(R.nodes, node('node-0'))
  await sim.run(1500)
  cluster.put(R.pods, pod('mine'))
  cluster.put(R.pods, pod('theirs', { spec: { schedulerName: 'other-scheduler' } }))
  await sim.run(1000)
  t.equal(pods().find((p) => p.metadata.name === 'mine')!.spec.nodeName, 'node-0')
  t.notOk(pods().find((p) => p.metadata.name === 'theirs')!.spec.nodeName)
  t.same(new Set(cluster.bindings.map((b) => b.by)), new Set([leader()]))
})

t.test('a binding still in flight from a lost leadership does not strand its pod when leadership comes back', async (t) => {
  const { sim, cluster, ids, leader, pods } = setup(testSeed(37), 1)
  cluster.put(R.nodes, node('node-0', { cpu: '4', memory: '8Gi' }))
  await sim.run(1500)
  t.equal(leader(), ids[0])
  // The binding's answer is lost, then the scheduler is cut off long enough to lose its lease.
  cluster.dropBindings = true
  cluster.put(R.pods, pod('web-0', { cpu: '500m', memory: '512Mi' }))
  await sim.run(50)
  const heal = sim.partition([ids[0]!], ['apiserver-0', 'apiserver-1'])
  await sim.run(1500)
  heal()
  t.ok(await sim.runUntil(() => leader() === ids[0], 5000), 'leading again')
  // The old binding fails (no answer from either apiserver) after the new leadership has
  // looked at the pod; then bindings are answered again.
  t.ok(await sim.runUntil(() => sim.trace.some((l) => l.includes('binding failed')), 10_000), 'the old binding failed')
  cluster.dropBindings = false
  const bound = await sim.runUntil(() => pods().every((p) => p.spec.nodeName === 'node-0'), 30_000)
  t.ok(bound, 'the pod is bound once the old binding has failed')
  t.equal(cluster.bindings.length, 1)
})
