// The node agents in the whole simulated cluster from a topology: real etcd, API servers,
// scheduler and controller-manager. A Deployment becomes Running pods with IPs from their nodes'
// podCIDRs, its Service's endpoints reach kube-proxy's rules, and a crash-looping pod backs off.
import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import { startSimCluster } from '../../helpers/sim-cluster.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import type { Deployment, Node, Pod, Service } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { KubeProxy } from '../../../actors/kube-proxy/actor.ts'

const topology = 'apiVersion: actorkube/v1\nkind: Topology\nnodes: { count: 4 }\n'

t.test('a Deployment and a Service through the whole simulated control plane', async (t) => {
  const seed = testSeed(91)
  t.comment(`seed ${seed}`)
  const { sim, ids } = await startSimCluster(topology, { seed, traceDeliveries: false })
  const apiservers = ids.filter((id) => id.startsWith('apiserver-'))
  const api = createApiClient(sim.client('client-kubelet-test'), { apiservers })
  const settle = async <T>(p: Promise<T>, ms = 30_000): Promise<T> => {
    let out: { v?: T; e?: unknown } | undefined
    p.then((v) => (out = { v }), (e: unknown) => (out = { e }))
    await sim.runUntil(() => out !== undefined, ms)
    if (!out) throw new Error('timed out')
    if (out.e) throw out.e
    return out.v as T
  }
  const readyNodes = async () => (await settle(api.list<Node>(R.nodes, undefined))).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length
  let nodes = 0
  for (let i = 0; i < 60 && nodes < 4; i++) {
    await sim.run(1000)
    nodes = await readyNodes().catch(() => 0)
  }
  t.equal(nodes, 4, 'four nodes Ready')

  const dep: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
  }
  await settle(api.create(R.deployments, 'default', dep))
  const svc = await settle(api.create<Service>(R.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] } }))
  t.match(svc.spec.clusterIP ?? '', /^127\.96\./, 'ClusterIP from the service CIDR')

  let running: Pod[] = []
  for (let i = 0; i < 60 && running.length < 6; i++) {
    await sim.run(1000)
    running = (await settle(api.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' }))).items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
  }
  t.equal(running.length, 6, `six pods Running and Ready (seed ${seed})`)
  t.ok(running.every((p) => p.status?.podIP?.startsWith('127.244.')), 'pod IPs in the pod CIDR')
  t.equal(new Set(running.map((p) => p.status?.podIP)).size, 6)

  const proxies = ids.filter((id) => id.startsWith('kube-proxy@'))
  t.ok(proxies.length > 0)
  const proxy = sim.behaviour(proxies[0]!) as KubeProxy
  const ok = await sim.runUntil(() => proxy.rules.get('default/web:')?.endpoints.length === 6, 30_000)
  t.ok(ok, `kube-proxy has the six endpoints (seed ${seed})`)
  t.same(proxy.rules.get('default/web:')?.endpoints.map((e) => e.probability), [1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1])

  // Graceful deletion: the API server marks the pod, its kubelet stops it and confirms at once
  // (sim containers honour SIGTERM immediately), well inside the 30 s grace period.
  const victim = running[0]!
  const t0 = sim.now()
  await settle(api.delete(R.pods, 'default', victim.metadata.name ?? ''))
  let gone = false
  for (let i = 0; i < 100 && !gone; i++) {
    await sim.run(100)
    gone = (await settle(api.get(R.pods, 'default', victim.metadata.name ?? ''))) === undefined
  }
  t.ok(gone, 'the pod is gone after its kubelet confirmed the deletion')
  t.ok(sim.now() - t0 < 15_000, `confirmed in ${sim.now() - t0} ms, inside the grace period`)
})
