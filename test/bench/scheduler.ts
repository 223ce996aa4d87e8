// Scheduler benchmarks (not part of `npm test`):
//   node --import tsx test/bench/scheduler.ts [nodes...]
// 1. decision: schedulePod() alone against N nodes with the assumed-pod cache (pods per cpu-second);
// 2. sim: the scheduler actor end to end against the fake API server in the Simulation
//    (pods per cpu-second; the simulator's per-message cost dominates), 2 instances;
// 3. failover: virtual gap between a leader crash / graceful stop and the standby acting,
//    at the topology's default lease timings.
import { Simulation } from '../../runtime/sim/simulator.ts'
import type { Node, Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import type { SchedulerArgs } from '../../actors/args.ts'
import { create } from '../../actors/scheduler/actor.ts'
import { SchedulerCache } from '../../actors/scheduler/cache.ts'
import { schedulePod } from '../../actors/scheduler/schedule.ts'
import { FakeCluster, fakeApiServer } from '../helpers/fake-apiserver.ts'

const lease = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 500 }

function node(i: number): Node {
  const alloc = { cpu: '32', memory: '128Gi', pods: '110' }
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, zone: `z${i % 3}` } },
    spec: {}, status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
  }
}

function pod(i: number): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `bench-${i}`, namespace: 'default', uid: `u${i}`, labels: { app: 'bench' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench', uid: `rs${i % 10}`, controller: true }] },
    spec: { containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  }
}

function decisionBench(nodes: number, pods: number): number {
  const cache = new SchedulerCache()
  for (let i = 0; i < nodes; i++) cache.setNode(node(i))
  let start = 0
  // CPU time, not wall time: the figure stays meaningful on a loaded machine.
  const c0 = process.cpuUsage()
  for (let i = 0; i < pods; i++) {
    const p = pod(i)
    const r = schedulePod({ pod: p, nodes: cache.nodeList(), percentageOfNodesToScore: 0, startIndex: start, random: Math.random })
    start = r.nextStartIndex
    if (r.node) cache.assume(p, r.node, 0)
  }
  const c = process.cpuUsage(c0)
  return pods / ((c.user + c.system) / 1e6)
}

async function simBench(nodes: number, pods: number): Promise<{ wallPps: number; bound: number }> {
  const sim = new Simulation({ seed: 1, traceDeliveries: false, latencyMs: [0.2, 0.5] })
  const cluster = new FakeCluster(pods * 4)
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  sim.spawn('apiserver-1', (ctx) => api(ctx, {}))
  const args: SchedulerArgs = { apiservers: ['apiserver-0', 'apiserver-1'], lease, schedulerName: 'default-scheduler', percentageOfNodesToScore: 0 }
  for (const id of ['scheduler-0', 'scheduler-1']) sim.spawn(id, (ctx) => create(ctx, args))
  for (let i = 0; i < nodes; i++) cluster.put(R.nodes, node(i))
  await sim.runUntil(() => ['scheduler-0', 'scheduler-1'].some((id) => sim.reports.get(id)?.info?.leader === true), 10_000)
  await sim.run(500)
  for (let i = 0; i < pods; i++) cluster.put(R.pods, pod(i))
  const c0 = process.cpuUsage()
  await sim.runUntil(() => cluster.bindings.length >= pods, 600_000)
  const c = process.cpuUsage(c0)
  return { wallPps: pods / ((c.user + c.system) / 1e6), bound: cluster.bindings.length }
}

async function failoverBench(graceful: boolean): Promise<number> {
  const sim = new Simulation({ seed: 2, traceDeliveries: false })
  const cluster = new FakeCluster()
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  const args: SchedulerArgs = { apiservers: ['apiserver-0'], lease, schedulerName: 'default-scheduler', percentageOfNodesToScore: 0 }
  const ids = ['scheduler-0', 'scheduler-1']
  for (const id of ids) sim.spawn(id, (ctx) => create(ctx, args))
  const leader = () => ids.find((id) => sim.has(id) && sim.reports.get(id)?.info?.leader === true)
  await sim.runUntil(() => leader() !== undefined, 10_000)
  await sim.run(3000)
  const first = leader() as string
  const t0 = sim.now()
  if (graceful) void sim.stop(first)
  else sim.crash(first)
  await sim.runUntil(() => { const l = leader(); return l !== undefined && l !== first }, 30_000)
  return sim.now() - t0
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
const nodeCounts = sizes.length > 0 ? sizes : [100, 1000, 5000]
console.log('| nodes | decision pods per cpu-second | simulated end to end pods per cpu-second |')
console.log('| ---: | ---: | ---: |')
decisionBench(200, 2000) // warm up the JIT
for (const n of nodeCounts) {
  const d = decisionBench(n, 3000)
  const s = await simBench(n, Math.min(2000, n * 2))
  console.log(`| ${n} | ${d.toFixed(0)} | ${s.wallPps.toFixed(0)} |`)
}
console.log(`\nfailover at lease ${lease.leaseDurationMs}/${lease.renewDeadlineMs}/${lease.retryPeriodMs} ms: crash -> standby leading ${(await failoverBench(false)).toFixed(0)} ms (virtual), graceful stop -> ${(await failoverBench(true)).toFixed(0)} ms`)
