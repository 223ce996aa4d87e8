import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { KObject, Node, Pod, ReplicaSet } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { ControllerManagerArgs } from '../../../actors/args.ts'
import { create } from '../../../actors/controller-manager/actor.ts'
import type { DaemonSet, Job, PersistentVolumeClaim, StatefulSet } from '../../../actors/controller-manager/workload-types.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const args: ControllerManagerArgs = {
  apiservers: ['apiserver-0'],
  lease: { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 },
  nodeMonitorGracePeriodMs: 60_000,
  podEvictionTimeoutMs: 60_000,
  resyncMs: 30_000,
}

/** A cluster with one controller-manager and a kubelet stand-in that runs pods: images named
 * 'done' succeed, others run and become Ready. */
function setup(seed: number) {
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster(20_000)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  const iso = () => new Date(sim.now()).toISOString()
  for (const n of ['node-0', 'node-1']) {
    cluster.put(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels: { 'kubernetes.io/hostname': n } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso() }] } } as Node, sim.now())
  }
  let i = 0
  const kubelet = () => {
    for (const p of cluster.all<Pod>(R.pods)) {
      if (p.status?.phase === 'Running' || p.status?.phase === 'Succeeded') continue
      const done = p.spec.containers[0]!.image === 'done'
      cluster.put(R.pods, {
        ...p,
        spec: { ...p.spec, nodeName: p.spec.nodeName ?? `node-${i % 2}` },
        status: done ? { phase: 'Succeeded', conditions: [] } : { phase: 'Running', podIP: `127.244.0.${(i % 250) + 2}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso() }] },
      }, sim.now())
      i++
    }
    sim.at(100, kubelet)
  }
  sim.at(100, kubelet)
  sim.spawn('controller-manager-0', (ctx) => create(ctx, args))
  return { sim, cluster }
}

const tmpl = (app: string, image: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }], restartPolicy: 'Never' as const } })

t.test('Job, DaemonSet, StatefulSet with claims, garbage collection, namespace deletion', async (t) => {
  const seed = testSeed(3)
  t.comment(`seed ${seed}`)
  const { sim, cluster } = setup(seed)

  // Job: 4 completions, 2 at a time.
  cluster.put(R.jobs, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { completions: 4, parallelism: 2, template: tmpl('pi', 'done') } } as Job, sim.now())
  let maxActive = 0
  const job = () => cluster.all<Job>(R.jobs)[0]!
  const jobPods = () => cluster.all<Pod>(R.pods).filter((p) => p.metadata.labels?.['job-name'] === 'pi')
  t.ok(await sim.runUntil(() => {
    maxActive = Math.max(maxActive, jobPods().filter((p) => p.status?.phase !== 'Succeeded').length)
    return job().status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false
  }, 20_000), 'job completes')
  t.equal(job().status?.succeeded, 4)
  t.equal(jobPods().length, 4, 'exactly 4 pods')
  t.ok(maxActive <= 2, `parallelism respected (max ${maxActive})`)

  // DaemonSet: one pod per node, follows a new node.
  cluster.put(R.daemonsets, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system', generation: 1 }, spec: { selector: { matchLabels: { app: 'agent' } }, template: tmpl('agent', 'agent') } } as DaemonSet, sim.now())
  const agentNodes = () => cluster.all<Pod>(R.pods).filter((p) => p.metadata.labels?.app === 'agent').map((p) => p.spec.nodeName).sort()
  t.ok(await sim.runUntil(() => agentNodes().join() === 'node-0,node-1', 10_000), 'one daemon pod on each node')
  cluster.put(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as Node, sim.now())
  t.ok(await sim.runUntil(() => agentNodes().join() === 'node-0,node-1,node-2', 10_000), 'a new node gets its daemon pod')
  cluster.remove(R.nodes, undefined, 'node-2')
  t.ok(await sim.runUntil(() => agentNodes().join() === 'node-0,node-1', 10_000), 'a removed node loses it')

  // StatefulSet: ordered creation with claims bound by the provisioner.
  cluster.put(R.statefulsets, {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: { replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } }, template: tmpl('nginx', 'nginx'), volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
  } as StatefulSet, sim.now())
  const created: string[] = []
  let outOfOrder = 0
  const webPods = () => cluster.all<Pod>(R.pods).filter((p) => p.metadata.labels?.app === 'nginx')
  t.ok(await sim.runUntil(() => {
    for (const p of webPods()) {
      if (created.includes(p.metadata.name!)) continue
      created.push(p.metadata.name!)
      // Every lower ordinal must already be Running and Ready.
      const ord = Number(p.metadata.name!.split('-')[1])
      const before = webPods().filter((q) => Number(q.metadata.name!.split('-')[1]) < ord && q.status?.phase === 'Running')
      if (before.length !== ord) outOfOrder++
    }
    return webPods().filter((p) => p.status?.phase === 'Running').length === 3
  }, 20_000), 'three stateful pods running')
  t.same(created, ['web-0', 'web-1', 'web-2'], 'created in order')
  t.equal(outOfOrder, 0, 'each pod created only once its predecessors ran')
  const claims = () => cluster.all<PersistentVolumeClaim>(R.persistentvolumeclaims)
  t.ok(await sim.runUntil(() => claims().length === 3 && claims().every((c) => c.status?.phase === 'Bound'), 10_000), 'claims created and bound')
  t.same(claims().map((c) => c.metadata.name).sort(), ['www-web-0', 'www-web-1', 'www-web-2'])
  t.equal(cluster.all(R.persistentvolumes).length, 3, 'one provisioned volume per claim')
  const sts = cluster.all<StatefulSet>(R.statefulsets)[0]!
  cluster.put(R.statefulsets, { ...sts, spec: { ...sts.spec, replicas: 1 } }, sim.now())
  t.ok(await sim.runUntil(() => webPods().map((p) => p.metadata.name).join() === 'web-0', 10_000), 'scaled down to web-0')

  // Adoption, then garbage collection: deleting a ReplicaSet (the fake API server deletes at
  // once) removes its pods, the adopted one included.
  cluster.put(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'api' }] } } as Pod, sim.now())
  await sim.run(300)
  cluster.put(R.replicasets, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api', namespace: 'default', generation: 1 }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: tmpl('api', 'api') } } as ReplicaSet, sim.now())
  const apiPods = () => cluster.all<Pod>(R.pods).filter((p) => p.metadata.labels?.app === 'api')
  t.ok(await sim.runUntil(() => apiPods().length === 2 && apiPods().every((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet'), 10_000), 'replica set pods exist')
  await sim.run(1000)
  t.equal(apiPods().length, 2, 'the stray pod was adopted, one pod created')
  t.ok(apiPods().some((p) => p.metadata.name === 'stray'), 'stray pod kept')
  cluster.remove(R.replicasets, 'default', 'api')
  t.ok(await sim.runUntil(() => apiPods().length === 0, 10_000), 'dependents collected after their owner is gone')

  // Namespace: a terminating namespace is emptied, then finalized.
  cluster.put(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] } } as KObject, sim.now())
  cluster.put(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team' }, data: {} } as KObject, sim.now())
  cluster.put(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lone', namespace: 'team' }, spec: { containers: [{ name: 'c', image: 'x' }] } } as Pod, sim.now())
  await sim.run(500)
  const ns = cluster.all(R.namespaces).find((n) => n.metadata.name === 'team')!
  cluster.put(R.namespaces, { ...ns, metadata: { ...ns.metadata, deletionTimestamp: new Date(sim.now()).toISOString() }, status: { phase: 'Terminating' } }, sim.now())
  const inTeam = () => [...cluster.all(R.configmaps), ...cluster.all(R.pods)].filter((o) => o.metadata.namespace === 'team').length
  t.ok(await sim.runUntil(() => inTeam() === 0 && ((cluster.all(R.namespaces).find((n) => n.metadata.name === 'team')?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0, 10_000), 'namespace emptied and finalized')

  const reasons = new Set(cluster.all(R.events).map((e) => (e as { reason?: string }).reason))
  for (const r of ['SuccessfulCreate', 'Completed', 'SuccessfulDelete', 'ProvisioningSucceeded']) t.ok(reasons.has(r), `event ${r}`)
  t.same(sim.crashes, [], 'no crashes')
})
