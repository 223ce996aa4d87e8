import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Endpoints, Lease, Node, Pod, ReplicaSet, Service } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { ControllerManagerArgs } from '../../../actors/args.ts'
import { create } from '../../../actors/controller-manager/actor.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const args: ControllerManagerArgs = {
  apiservers: ['apiserver-0'],
  lease: { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 },
  nodeMonitorGracePeriodMs: 4000,
  podEvictionTimeoutMs: 2000,
  resyncMs: 30_000,
}
const NODES = ['node-0', 'node-1', 'node-2']

t.test('a node that stops renewing goes Unknown, is tainted, its pods are evicted and replaced; endpoints follow', async (t) => {
  const seed = testSeed(11)
  t.comment(`seed ${seed}`)
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster(20_000)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  const iso = () => new Date(sim.now()).toISOString()
  for (const n of NODES) {
    cluster.put(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: n }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso() }] } } as Node, sim.now())
  }
  // Kubelet stand-ins: renew node leases (except dead nodes), place new pods on live nodes round-robin.
  const dead = new Set<string>()
  let placed = 0
  const kubelets = () => {
    for (const n of NODES) {
      if (dead.has(n)) continue
      cluster.put(R.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: n, namespace: 'kube-node-lease' }, spec: { holderIdentity: n, leaseDurationSeconds: 4, renewTime: iso() } } as Lease, sim.now())
    }
    const live = NODES.filter((n) => !dead.has(n))
    for (const p of cluster.all<Pod>(R.pods)) {
      if (p.status?.phase === 'Running') continue
      const node = live[placed % live.length]!
      const ip = `127.244.${NODES.indexOf(node)}.${(placed++ % 250) + 2}`
      cluster.put(R.pods, { ...p, spec: { ...p.spec, nodeName: node }, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso() }] } }, sim.now())
    }
    sim.at(500, kubelets)
  }
  kubelets()
  sim.spawn('controller-manager-0', (ctx) => create(ctx, args))

  cluster.put(R.replicasets, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
  } as ReplicaSet, sim.now())
  cluster.put(R.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } } as Service, sim.now())

  const running = () => cluster.all<Pod>(R.pods).filter((p) => p.status?.phase === 'Running')
  const endpointIps = () => (cluster.all<Endpoints>(R.endpoints)[0]?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort()
  t.ok(await sim.runUntil(() => running().length === 6 && endpointIps().length === 6, 20_000), '6 pods running, all 6 in the endpoints')
  t.same(cluster.all<Endpoints>(R.endpoints)[0]!.subsets![0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }], 'targetPort resolved by name')
  const onNode2 = running().filter((p) => p.spec.nodeName === 'node-2').map((p) => p.metadata.name)
  t.equal(onNode2.length, 2, 'two pods on node-2')

  sim.note('node-2 dies')
  dead.add('node-2')
  const diedAt = sim.now()
  const node2 = () => cluster.all<Node>(R.nodes).find((n) => n.metadata.name === 'node-2')!
  t.ok(await sim.runUntil(() => node2().status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown', 10_000), 'node-2 Ready=Unknown')
  const unknownAfter = sim.now() - diedAt
  t.ok(unknownAfter >= 4000 - 500 && unknownAfter <= 4000 + 1000, `marked Unknown after about the grace period (${unknownAfter} ms)`)
  t.ok(await sim.runUntil(() => node2().spec.taints?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute') ?? false, 200), 'unreachable NoExecute taint right after')
  t.ok(onNode2.every((n) => cluster.all<Pod>(R.pods).some((p) => p.metadata.name === n)), 'pods not evicted before the eviction timeout')
  const taintedAt = sim.now()
  t.ok(await sim.runUntil(() => !cluster.all<Pod>(R.pods).some((p) => p.spec.nodeName === 'node-2'), 10_000), 'pods on node-2 evicted')
  t.ok(sim.now() - taintedAt >= 2000 - 100, `after podEvictionTimeout (${sim.now() - taintedAt} ms)`)
  t.ok(await sim.runUntil(() => running().length === 6 && running().every((p) => p.spec.nodeName !== 'node-2') && endpointIps().length === 6, 10_000), 'replaced on live nodes; endpoints follow')
  const evicted = sim.trace.filter((l) => l.includes('pod.evicted'))
  t.equal(evicted.length, 2, 'pod.evicted logged per pod')
  t.ok(sim.trace.some((l) => l.includes('node.not-ready') && l.includes('node-2')), 'node.not-ready logged')

  sim.note('node-2 returns')
  dead.delete('node-2')
  cluster.put(R.nodes, { ...node2(), status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso() }] } }, sim.now())
  t.ok(await sim.runUntil(() => !(node2().spec.taints ?? []).some((x) => x.key === 'node.kubernetes.io/unreachable'), 5000), 'taint removed when Ready again')
  t.ok(sim.trace.some((l) => l.includes('node.ready') && l.includes('node-2')), 'node.ready logged')
  t.same(sim.crashes, [], 'no crashes')
})
