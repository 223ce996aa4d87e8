import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { KEvent, Lease, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { KubeletArgs } from '../../../actors/args.ts'
import { create as createKubelet } from '../../../actors/kubelet/actor.ts'
import { FakeCluster, fakeApiServer, drive } from '../../helpers/fake-apiserver.ts'

function args(node: string, i: number): KubeletArgs {
  return {
    apiservers: ['apiserver-0'],
    node: {
      name: node,
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      labels: { zone: 'a' },
      taints: [],
      podCIDR: `127.244.${i}.0/24`,
      runtime: 'sim',
    },
    nodeStatusUpdateMs: 10_000,
    nodeLeaseDurationMs: 40_000,
    nodeLeaseRenewMs: 10_000,
    crashLoopBackoff: { initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 },
  }
}

const pod = (name: string, node: string, annotations: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', annotations },
  spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }] },
})

function setup(seed: number, nodes: number, override: Partial<KubeletArgs> = {}) {
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster(100_000)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  for (let i = 0; i < nodes; i++) sim.spawn(`kubelet@node-${i}`, (ctx) => createKubelet(ctx, { ...args(`node-${i}`, i), ...override }))
  return { sim, cluster }
}

const get = <T>(cluster: FakeCluster, ref: typeof R.pods, name: string, ns?: string): T | undefined =>
  cluster.all<{ metadata: { name?: string; namespace?: string } }>(ref).find((o) => o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns)) as T | undefined

t.test('registration is one write of the Node with its status, and the Lease is created without a failed renewal first; a restarted kubelet renews the Lease it finds', async (t) => {
  const { sim, cluster } = setup(testSeed(67), 1)
  await sim.run(3_000)
  const writes = () => Object.fromEntries([...cluster.calls].filter(([k]) => !k.startsWith('api.list') && !k.startsWith('api.watch') && !k.startsWith('api.get')))
  t.same(writes(), { 'api.create nodes': 1, 'api.create leases': 1 }, 'no status patch, no 404 patch of the Lease')
  t.equal(get<Node>(cluster, R.nodes, 'node-0')?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
  await sim.run(12_000)
  t.equal(cluster.calls.get('api.patch leases'), 1, 'then renewed by patch')
  sim.restart('kubelet@node-0')
  const restarted = sim.now()
  cluster.calls.clear()
  await sim.run(3_000)
  t.same(writes(), { 'api.create nodes': 1, 'api.patch nodes/status': 1, 'api.create leases': 1, 'api.patch leases': 1 }, 'the restarted kubelet finds both, writes its status and renews the Lease')
  const lease = get<Lease>(cluster, R.leases, 'node-0', 'kube-node-lease')
  t.ok(Date.parse(lease!.spec!.renewTime!) >= restarted, 'renewed after the restart')
})

t.test('kubelet registers its node, renews its lease and runs its pods', async (t) => {
  const seed = testSeed(61)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed, 2)
  await sim.run(2_000)
  const node = get<Node>(cluster, R.nodes, 'node-0')
  t.ok(node, 'node registered')
  t.equal(node?.status?.nodeInfo?.kubeletVersion, 'v1.32.0')
  t.equal(node?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
  t.same(node?.status?.addresses?.[0], { type: 'InternalIP', address: '127.244.0.1' })
  t.equal(node?.spec.podCIDR, '127.244.0.0/24')
  const lease0 = get<Lease>(cluster, R.leases, 'node-0', 'kube-node-lease')
  t.ok(lease0, 'lease created')
  await sim.run(25_000)
  const lease1 = get<Lease>(cluster, R.leases, 'node-0', 'kube-node-lease')
  t.not(lease1?.spec.renewTime, lease0?.spec.renewTime, 'lease renewed')

  cluster.put(R.pods, pod('web', 'node-1'))
  cluster.put(R.pods, pod('other', 'node-0'))
  const ok = await sim.runUntil(() => get<Pod>(cluster, R.pods, 'web')?.status?.phase === 'Running', 10_000)
  t.ok(ok, `pod Running (seed ${seed})`)
  const p = get<Pod>(cluster, R.pods, 'web')!
  t.equal(p.status?.podIP, '127.244.1.2', 'pod IP from node-1 podCIDR')
  t.equal(p.status?.hostIP, '127.244.1.1')
  t.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
  const reasons = cluster.all<KEvent>(R.events).filter((e) => e.involvedObject.name === 'web').map((e) => e.reason)
  t.same(reasons, ['Pulling', 'Pulled', 'Created', 'Started'])
})

t.test('graceful deletion stops the pod and confirms with grace 0; logs are served', async (t) => {
  const seed = testSeed(62)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed, 1)
  cluster.put(R.pods, pod('chatty', 'node-0', { 'sim.actorkube.io/behaviour': 'log=hello@1s' }))
  t.ok(await sim.runUntil(() => get<Pod>(cluster, R.pods, 'chatty')?.status?.phase === 'Running', 10_000))
  await sim.run(5_000)
  const asker = sim.client('apiserver-9')
  const reply = await drive(sim, asker.ask<{ type: string; lines: string[] }>('kubelet@node-0', { type: 'kubelet.logs', namespace: 'default', pod: 'chatty', tailLines: 3 } as never, { timeoutMs: 1000 }))
  t.equal(reply.type, 'kubelet.logs.reply')
  t.same(reply.lines, ['hello', 'hello', 'hello'])
  const missing = await drive(sim, asker.ask<{ type: string; code: number }>('kubelet@node-0', { type: 'kubelet.logs', namespace: 'default', pod: 'nope' } as never, { timeoutMs: 1000 }))
  t.equal(missing.code, 404)

  const cur = get<Pod>(cluster, R.pods, 'chatty')!
  cluster.put(R.pods, { ...cur, metadata: { ...cur.metadata, deletionTimestamp: new Date(sim.now()).toISOString(), deletionGracePeriodSeconds: 30 } })
  t.ok(await sim.runUntil(() => get<Pod>(cluster, R.pods, 'chatty') === undefined, 10_000), 'pod deleted by the kubelet after termination')
  const reasons = cluster.all<KEvent>(R.events).filter((e) => e.involvedObject.name === 'chatty').map((e) => e.reason)
  t.ok(reasons.includes('Killing'))
})

t.test('a crash-looping pod backs off on schedule and reports restarts', async (t) => {
  const seed = testSeed(63)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed, 1)
  cluster.put(R.pods, pod('crashy', 'node-0', { 'sim.actorkube.io/behaviour': 'crash-every=2s' }))
  await sim.run(2 * 60_000)
  const p = get<Pod>(cluster, R.pods, 'crashy')!
  const cs = p.status?.containerStatuses?.[0]
  // starts at ~0.25 s, ~12.3 s, ~34.3 s, ~76.3 s: three restarts within two minutes
  t.equal(cs?.restartCount, 3, `restartCount (seed ${seed})`)
  t.equal(cs?.lastState.terminated?.exitCode, 1)
  t.equal(p.status?.phase, 'Running')
  const backoff = cluster.all<KEvent>(R.events).filter((e) => e.reason === 'BackOff')
  t.ok(backoff.length >= 1 && backoff.every((e) => e.type === 'Warning'))
})

t.test('an unchanged node status is written once per nodeStatusReportMs; the lease renews meanwhile', async (t) => {
  const seed = testSeed(67)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed, 1, { nodeStatusReportMs: 60_000 })
  const heartbeat = () => get<Node>(cluster, R.nodes, 'node-0')?.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime
  const renewed = () => get<Lease>(cluster, R.leases, 'node-0', 'kube-node-lease')?.spec.renewTime
  await sim.run(2_000)
  const h0 = heartbeat()
  const l0 = renewed()
  t.ok(h0, 'status written at registration')
  await sim.run(45_000)
  t.equal(heartbeat(), h0, 'four status updates later (every 10 s), nothing changed: not written')
  t.not(renewed(), l0, 'the lease renewed')
  await sim.run(30_000)
  t.not(heartbeat(), h0, 'written again once 60 s passed')
})

t.test('a node the lifecycle controller marked Unknown is put right at the next status update', async (t) => {
  const seed = testSeed(68)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed, 1, { nodeStatusReportMs: 300_000 })
  const ready = () => get<Node>(cluster, R.nodes, 'node-0')?.status?.conditions?.find((c) => c.type === 'Ready')
  await sim.run(5_000)
  t.equal(ready()?.status, 'True')
  const node = structuredClone(get<Node>(cluster, R.nodes, 'node-0')!)
  const cond = node.status!.conditions!.find((c) => c.type === 'Ready')!
  Object.assign(cond, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: new Date(sim.now()).toISOString() })
  cluster.put(R.nodes, node)
  t.equal(ready()?.status, 'Unknown')
  await sim.run(12_000)
  t.equal(ready()?.status, 'True', 'within one status period (10 s), long before the 5 min report')
  t.equal(ready()?.reason, 'KubeletReady')
})

t.test('a pod another component marked not Ready is written Ready again at the next status sync', async (t) => {
  const seed = testSeed(69)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed, 1)
  cluster.put(R.pods, pod('steady', 'node-0'))
  const ready = () => get<Pod>(cluster, R.pods, 'steady')?.status?.conditions?.find((c) => c.type === 'Ready')?.status
  t.ok(await sim.runUntil(() => ready() === 'True', 10_000))
  const p = structuredClone(get<Pod>(cluster, R.pods, 'steady')!)
  for (const c of p.status!.conditions!) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = 'False'
  cluster.put(R.pods, p)
  t.equal(ready(), 'False')
  t.ok(await sim.runUntil(() => ready() === 'True', 12_000), 'put right within one status period (10 s)')
})
