import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Deployment, Lease, Pod, ReplicaSet } from '../../../protocols/k8s.ts'
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
const CMS = ['controller-manager-0', 'controller-manager-1']

function setup(seed: number) {
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster(20_000)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  for (const id of CMS) sim.spawn(id, (ctx) => create(ctx, args))
  // A kubelet stand-in: binds each new pod to one of 5 nodes and marks it Running and Ready.
  let n = 0
  const kubelet = () => {
    for (const p of cluster.all<Pod>(R.pods)) {
      if (p.status?.phase === 'Running') continue
      const i = n++
      const now = new Date(sim.now()).toISOString()
      cluster.put(R.pods, {
        ...p,
        spec: { ...p.spec, nodeName: p.spec.nodeName ?? `node-${i % 5}` },
        status: { phase: 'Running', podIP: `127.244.${i % 5}.${(i % 250) + 2}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
      }, sim.now())
    }
    sim.at(50, kubelet)
  }
  sim.at(50, kubelet)
  const leaseHolder = () => cluster.all<Lease>(R.leases).find((l) => l.metadata.name === 'kube-controller-manager')?.spec.holderIdentity?.split('_')[0] ?? undefined
  return { sim, cluster, leaseHolder }
}

function deployment(image: string): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: {
      replicas: 20,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
    },
  }
}

t.test('a Deployment of 20 reaches 20 pods through a controller-manager crash, then rolls within bounds', async (t) => {
  const seed = testSeed(5)
  t.comment(`seed ${seed}`)
  const { sim, cluster, leaseHolder } = setup(seed)
  t.teardown(() => { if (t.passing() === false) t.comment(`failed with SEED=${seed}`) })

  await sim.runUntil(() => leaseHolder() !== undefined, 5000)
  const first = leaseHolder()
  t.ok(first && CMS.includes(first), 'a controller-manager holds the lease')
  sim.note('create deployment')
  cluster.put(R.deployments, deployment('nginx:1'), sim.now())

  const podsOf = (rsUid: string | undefined) => cluster.all<Pod>(R.pods).filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === rsUid))
  const rsList = () => cluster.all<ReplicaSet>(R.replicasets)
  let maxPerRS = 0
  let crashed = false
  const check = () => {
    for (const rs of rsList()) maxPerRS = Math.max(maxPerRS, podsOf(rs.metadata.uid).length)
    if (!crashed && cluster.all<Pod>(R.pods).length >= 7) {
      crashed = true
      sim.crash(leaseHolder()!)
    }
  }
  const allRunning = () => {
    const pods = cluster.all<Pod>(R.pods)
    return pods.length === 20 && pods.every((p) => p.status?.phase === 'Running')
  }
  const ok = await sim.runUntil(() => { check(); return allRunning() && crashed }, 60_000)
  t.ok(ok, '20 pods Running')
  t.ok(crashed, 'the active controller-manager crashed mid-way')
  // Let the new leader settle (status, any stray work) and look again.
  await sim.runUntil(() => { check(); return false }, 3000)
  t.equal(cluster.all<Pod>(R.pods).length, 20, 'still exactly 20 pods')
  t.ok(maxPerRS <= 20, `never more than 20 pods for the ReplicaSet (max ${maxPerRS})`)
  const holder = leaseHolder()
  t.ok(holder && holder !== first, `the standby took over (${holder})`)
  const d1 = cluster.all<Deployment>(R.deployments)[0]!
  t.equal(d1.status?.availableReplicas, 20, 'deployment status: 20 available')
  t.equal(d1.status?.observedGeneration, 1)
  t.equal(d1.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable')

  // Rolling update to a new image: at every step at most 23 pods and at least 18 ready.
  sim.note('rolling update')
  cluster.put(R.deployments, { ...d1, metadata: { ...d1.metadata, generation: 2 }, spec: deployment('nginx:2').spec }, sim.now())
  let maxPods = 0
  let minReady = Infinity
  const watchBounds = () => {
    const pods = cluster.all<Pod>(R.pods)
    maxPods = Math.max(maxPods, pods.length)
    minReady = Math.min(minReady, pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length)
  }
  const done = () => {
    const d = cluster.all<Deployment>(R.deployments)[0]!
    const s = d.status
    const pods = cluster.all<Pod>(R.pods)
    return s?.observedGeneration === 2 && s.updatedReplicas === 20 && s.replicas === 20 && s.availableReplicas === 20 &&
      pods.length === 20 && pods.every((p) => p.spec.containers[0]!.image === 'nginx:2' && p.status?.phase === 'Running')
  }
  t.ok(await sim.runUntil(() => { watchBounds(); return done() }, 60_000), 'rollout completes')
  t.ok(maxPods <= 23, `never more than replicas + maxSurge pods (max ${maxPods})`)
  t.ok(minReady >= 18, `never fewer than replicas - maxUnavailable ready (min ${minReady})`)
  const rss = rsList()
  t.equal(rss.length, 2, 'old and new ReplicaSet kept as history')
  const newRS = rss.find((r) => r.spec.template.spec.containers[0]!.image === 'nginx:2')!
  t.equal(newRS.metadata.annotations?.['deployment.kubernetes.io/revision'], '2')
  t.equal(newRS.spec.template.metadata?.labels?.['pod-template-hash'], newRS.metadata.labels?.['pod-template-hash'])
  const events = cluster.all(R.events).map((e) => (e as { reason?: string }).reason)
  t.ok(events.includes('ScalingReplicaSet') && events.includes('SuccessfulCreate') && events.includes('SuccessfulDelete'), 'events recorded')
  const scaling = cluster.all(R.events).find((e) => (e as { reason?: string }).reason === 'ScalingReplicaSet') as { source?: { component?: string }; involvedObject?: { kind?: string; name?: string }; message?: string } | undefined
  t.equal(scaling?.source?.component, 'deployment-controller', 'events name their controller')
  t.same([scaling?.involvedObject?.kind, scaling?.involvedObject?.name], ['Deployment', 'web'])
  t.match(scaling?.message ?? '', /^Scaled up replica set web-[a-z0-9]+ to \d+ from 0$/)
  t.same(sim.crashes.filter((c) => c.id !== first), [], 'no actor crashed by itself')
})
