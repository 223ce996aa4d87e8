// Node-agent benchmarks, in real time on one thread (LocalSystem) against the in-memory API
// server, sim runtime:
//   startup   pod startup latency (created -> Running, images already on the node, pods bound
//             to nodes round-robin) at 10, 100 and 1,000 pods/s of churn (each pod deleted 2 s
//             after it runs), 100 nodes
//   nodes     memory per simulated node and time to Ready at 1,000 and 5,000 nodes, then
//             10,000 pods to Running
//   node --expose-gc --import tsx test/bench/kubelet.ts [startup|nodes] [--nodes 1000,5000] [--rates 10,100,1000]
import { LocalSystem } from '../../runtime/local.ts'
import type { KObject, Node, Pod } from '../../protocols/k8s.ts'
import type { WatchEvent } from '../../protocols/api.ts'
import { R } from '../../protocols/resources.ts'
import type { KubeletArgs } from '../../actors/args.ts'
import { create as createKubelet } from '../../actors/kubelet/actor.ts'
import { FakeCluster, fakeApiServer } from '../helpers/fake-apiserver.ts'

const argv = process.argv.slice(2)
const which = argv.find((a) => !a.startsWith('--')) ?? 'all'
const list = (name: string, d: number[]) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? (argv[i + 1] ?? '').split(',').map(Number) : d
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const mb = (b: number) => (b / 1024 / 1024).toFixed(1)
const gc = () => (globalThis as { gc?: () => void }).gc?.()

function kubeletArgs(i: number): KubeletArgs {
  return {
    apiservers: ['apiserver-0'],
    node: { name: `node-${i}`, capacity: { cpu: '64', memory: '256Gi', pods: '250' }, labels: {}, taints: [], podCIDR: `127.${244 + Math.floor(i / 256) % 12}.${i % 256}.0/24`, runtime: 'sim' },
    nodeStatusUpdateMs: 10_000,
    nodeLeaseDurationMs: 40_000,
    nodeLeaseRenewMs: 10_000,
    crashLoopBackoff: { initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 },
  }
}

const pod = (name: string, node: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }] },
})

/** Watch pods in the fake store directly: when each first reports Running. */
function runningTracker(cluster: FakeCluster) {
  const created = new Map<string, number>()
  const ranAt = new Map<string, number>()
  const onRun: Array<(name: string) => void> = []
  cluster.watchers.set('bench', {
    id: 'bench', owner: 'bench', to: 'bench', res: '/pods', match: () => true,
    send: (evs: WatchEvent[]) => {
      for (const ev of evs) {
        const p = ev.object as KObject as Pod
        const n = p.metadata.name ?? ''
        if (ev.type !== 'DELETED' && p.status?.phase === 'Running' && !ranAt.has(n) && created.has(n)) {
          ranAt.set(n, performance.now())
          for (const f of onRun) f(n)
        }
      }
    },
  } as never)
  return { created, ranAt, onRun }
}

/** Warnings and errors by message, printed after each run (what went wrong under load). */
const logCounts = new Map<string, number>()
const printLogCounts = () => {
  if (logCounts.size > 0) console.log(`         logs: ${[...logCounts].map(([k, n]) => `${k} x${n}`).join(', ')}`)
  logCounts.clear()
}

async function startSystem(nodes: number) {
  const sys = new LocalSystem({
    onLog: (r) => {
      if (r.level === 'warn' || r.level === 'error') {
        const err = (r.obj as { err?: { code?: string } }).err
        const k = `${r.msg ?? ''}${err?.code ? ` (${err.code})` : ''}`
        logCounts.set(k, (logCounts.get(k) ?? 0) + 1)
      }
    },
  })
  const cluster = new FakeCluster(10_000)
  const api = fakeApiServer({ cluster })
  sys.spawn('apiserver-0', (ctx) => api(ctx, {}))
  const t0 = performance.now()
  for (let i = 0; i < nodes; i++) sys.spawn(`kubelet@node-${i}`, (ctx) => createKubelet(ctx, kubeletArgs(i)))
  const ready = () => cluster.all<Node>(R.nodes).filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length
  while (ready() < nodes) await sleep(50)
  return { sys, cluster, readyMs: performance.now() - t0 }
}

async function startup(rates: number[]) {
  for (const rate of rates) {
    const nodes = 100
    const { sys, cluster } = await startSystem(nodes)
    const tr = runningTracker(cluster)
    // Warm-up: one pod per node pulls the image (the SLO excludes image pulls).
    for (let i = 0; i < nodes; i++) {
      tr.created.set(`warm-${i}`, performance.now())
      cluster.put(R.pods, pod(`warm-${i}`, `node-${i}`))
    }
    while (tr.ranAt.size < nodes) await sleep(20)
    tr.created.clear()
    tr.ranAt.clear()
    const seconds = rate >= 1000 ? 5 : rate >= 100 ? 10 : 20
    const total = rate * seconds
    tr.onRun.push((n) => setTimeout(() => cluster.remove(R.pods, 'default', n), 2000))
    const start = performance.now()
    let made = 0
    while (made < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1)
      for (; made < due; made++) {
        const name = `p-${made}`
        tr.created.set(name, performance.now())
        cluster.put(R.pods, pod(name, `node-${made % nodes}`))
      }
      await sleep(rate >= 1000 ? 1 : 5)
    }
    const deadline = performance.now() + 60_000
    while (tr.ranAt.size < total && performance.now() < deadline) await sleep(20)
    const lat = [...tr.ranAt].map(([n, at]) => at - (tr.created.get(n) ?? at))
    console.log(`startup  ${String(rate).padStart(5)} pods/s  ${total} pods  running ${tr.ranAt.size}  p50 ${pct(lat, 50).toFixed(0)} ms  p99 ${pct(lat, 99).toFixed(0)} ms  max ${Math.max(...lat).toFixed(0)} ms  achieved ${(total / ((performance.now() - start) / 1000)).toFixed(0)} pods/s over the run`)
    printLogCounts()
    await sys.shutdown()
  }
}

async function nodesBench(counts: number[]) {
  for (const n of counts) {
    gc()
    const before = process.memoryUsage()
    const { sys, cluster, readyMs } = await startSystem(n)
    await sleep(500)
    gc()
    const after = process.memoryUsage()
    const perNode = (after.heapUsed - before.heapUsed) / n
    console.log(`nodes    ${n} nodes Ready in ${(readyMs / 1000).toFixed(1)} s  heap +${mb(after.heapUsed - before.heapUsed)} MB (${(perNode / 1024).toFixed(1)} KiB/node, including the fake API server's copy of each Node and Lease)  rss ${mb(after.rss)} MB`)
    const pods = n * 2
    const tr = runningTracker(cluster)
    const t0 = performance.now()
    for (let i = 0; i < pods; i++) {
      tr.created.set(`q-${i}`, performance.now())
      cluster.put(R.pods, pod(`q-${i}`, `node-${i % n}`))
    }
    const deadline = performance.now() + 240_000
    while (tr.ranAt.size < pods && performance.now() < deadline) await sleep(50)
    gc()
    const withPods = process.memoryUsage()
    printLogCounts()
    console.log(`pods     ${pods} pods on ${n} nodes Running: ${tr.ranAt.size} in ${((performance.now() - t0) / 1000).toFixed(1)} s  heap ${mb(withPods.heapUsed)} MB  rss ${mb(withPods.rss)} MB`)
    await sys.shutdown()
  }
}

if (which === 'startup' || which === 'all') await startup(list('rates', [10, 100, 1000]))
if (which === 'nodes' || which === 'all') await nodesBench(list('nodes', [1000, 5000]))
process.exit(0)
