// The node agents with the scheduler and controller-manager in one simulation (the API server is
// the in-memory fake): 1,000 sim pods on 100 nodes, crash-looping pods, a node whose kubelet dies.
import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Deployment, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import type { ControllerManagerArgs, KubeletArgs, SchedulerArgs } from '../../../actors/args.ts'
import { create as createKubelet } from '../../../actors/kubelet/actor.ts'
import { create as createScheduler } from '../../../actors/scheduler/actor.ts'
import { create as createCM } from '../../../actors/controller-manager/actor.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const lease = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 500 }

function kubeletArgs(i: number): KubeletArgs {
  return {
    apiservers: ['apiserver-0'],
    node: { name: `node-${i}`, capacity: { cpu: '8', memory: '16Gi', pods: '110' }, labels: {}, taints: [], podCIDR: `127.244.${i}.0/24`, runtime: 'sim' },
    nodeStatusUpdateMs: 10_000,
    nodeLeaseDurationMs: 40_000,
    nodeLeaseRenewMs: 10_000,
    crashLoopBackoff: { initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 },
  }
}

function setup(seed: number, nodes: number) {
  const sim = new Simulation({ seed, traceDeliveries: false, latencyMs: [1, 3] })
  const cluster = new FakeCluster(200_000)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  const sargs: SchedulerArgs = { apiservers: ['apiserver-0'], lease, schedulerName: 'default-scheduler', percentageOfNodesToScore: 0 }
  sim.spawn('scheduler-0', (ctx) => createScheduler(ctx, sargs))
  const cargs: ControllerManagerArgs = { apiservers: ['apiserver-0'], lease, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 30_000, resyncMs: 60_000 }
  sim.spawn('controller-manager-0', (ctx) => createCM(ctx, cargs))
  for (let i = 0; i < nodes; i++) sim.spawn(`kubelet@node-${i}`, (ctx) => createKubelet(ctx, kubeletArgs(i)))
  const pods = () => cluster.all<Pod>(R.pods)
  const running = (pred: (p: Pod) => boolean = () => true) => pods().filter((p) => pred(p) && p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length
  return { sim, cluster, pods, running }
}

/** Like sim.runUntil, but checks the (costly) predicate every `stepMs` of virtual time only. */
async function waitFor(sim: Simulation, pred: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += stepMs) {
    if (pred()) return true
    await sim.run(stepMs)
  }
  return pred()
}

function deployment(name: string, replicas: number, annotations: Record<string, string> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  }
}

// The full size (1,000 pods on 100 nodes) takes minutes on two cores: KUBELET_SCALE=full runs it.
const FULL = process.env.KUBELET_SCALE === 'full'
const PODS = FULL ? 1000 : 200
const NODES = FULL ? 100 : 20

t.test(`${PODS} sim pods on ${NODES} nodes reach Running; a dead kubelet's node goes NotReady and its pods move`, async (t) => {
  const seed = testSeed(81)
  t.comment(`seed ${seed}`)
  const { sim, cluster, pods, running } = setup(seed, NODES)
  t.ok(await sim.runUntil(() => cluster.all<Node>(R.nodes).length === NODES, 10_000), `${NODES} nodes registered`)
  cluster.put(R.deployments, deployment('web', PODS), sim.now())
  const t0 = sim.now()
  const w0 = Date.now()
  const ok = await waitFor(sim, () => running() === PODS, 120_000)
  t.ok(ok, `${PODS} pods Running and Ready (seed ${seed}; got ${running()})`)
  t.comment(`${PODS} pods Running after ${sim.now() - t0} virtual ms (wall ${Date.now() - w0} ms)`)
  const perNode = new Map<string, number>()
  for (const p of pods()) perNode.set(p.spec.nodeName ?? '', (perNode.get(p.spec.nodeName ?? '') ?? 0) + 1)
  t.equal(perNode.size, NODES, 'spread over all nodes')
  const ips = new Set(pods().map((p) => p.status?.podIP))
  t.equal(ips.size, PODS, 'every pod has its own IP')

  // Kill node-7's kubelet: its lease stops, the node goes NotReady, its pods are replaced elsewhere.
  const victims = pods().filter((p) => p.spec.nodeName === 'node-7').map((p) => p.metadata.name)
  t.ok(victims.length > 0)
  sim.crash('kubelet@node-7')
  const notReady = () => cluster.all<Node>(R.nodes).find((n) => n.metadata.name === 'node-7')?.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True'
  t.ok(await waitFor(sim, notReady, 120_000), `node-7 NotReady (seed ${seed})`)
  t.comment(`NotReady at wall ${Date.now() - w0} ms`)
  const moved = await waitFor(sim, () => running((p) => p.spec.nodeName !== 'node-7') === PODS && !pods().some((p) => victims.includes(p.metadata.name)), 180_000)
  t.ok(moved, `node-7's pods replaced on other nodes (seed ${seed}; ${running((p) => p.spec.nodeName !== 'node-7')} running elsewhere)`)
})

t.test('crash-looping pods back off on schedule through the whole chain', async (t) => {
  const seed = testSeed(82)
  t.comment(`seed ${seed}`)
  const { sim, cluster, pods } = setup(seed, 3)
  t.ok(await sim.runUntil(() => cluster.all<Node>(R.nodes).length === 3, 10_000))
  cluster.put(R.deployments, deployment('crashy', 3, { 'sim.actorkube.io/behaviour': 'crash-every=1s' }), sim.now())
  t.ok(await waitFor(sim, () => pods().length === 3 && pods().every((p) => p.status?.containerStatuses?.[0]?.state.running), 30_000))
  const start = sim.now()
  // Each pod: run 1 s, wait 10 s, run 1 s, wait 20 s, run 1 s, wait 40 s: 3 restarts by ~73 s, the 4th at ~154 s.
  await sim.run(100_000)
  const counts = pods().map((p) => p.status?.containerStatuses?.[0]?.restartCount)
  t.same(counts, [3, 3, 3], `restart counts after ${(sim.now() - start) / 1000} s (seed ${seed})`)
  const waiting = pods().map((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason)
  t.ok(waiting.every((r) => r === 'CrashLoopBackOff'), `waiting in CrashLoopBackOff: ${waiting.join(',')}`)
})
