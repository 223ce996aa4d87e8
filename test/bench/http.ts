// HTTP API benchmark: requests per second and p99 latency for create / get / list through the
// load balancer with 1 and 64 requests in flight, and `kubectl apply` of a 100-object manifest.
// Run: node --import tsx test/bench/http.ts [--backend cluster|real|memory] [--requests N] [--apiservers N]
//   cluster (default): the control plane on worker threads as `actorkube up` starts it (etcd
//     Raft replicas with fsync, --apiservers apiservers, 2 by default), the load balancer in front, no nodes;
//   real: 2 ApiServer actors in this thread over an in-memory fake etcd;
//   memory: the HTTP gateway over an in-memory core (gateway and load balancer cost only).
// Prints a Markdown table (for docs/benchmarks.md).
import { Agent, request } from 'node:http'
import { kubectlFor, startRealApiServers } from '../helpers/kubectl.ts'
import { startMemoryGateway } from '../helpers/memory-core.ts'
import { startLoadBalancer } from '../../runtime/lb/index.ts'

const argv = process.argv.slice(2)
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : def
}
const backend = opt('backend', 'cluster')
if (!['cluster', 'real', 'memory'].includes(backend)) {
  console.error(`--backend: expected one of cluster, real, memory, got ${JSON.stringify(backend)}`)
  process.exit(2)
}
const N = Number(opt('requests', '2000'))
const apiservers = Number(opt('apiservers', '2'))
if (!Number.isInteger(apiservers) || apiservers < 1) {
  console.error(`--apiservers: expected an integer >= 1, got ${JSON.stringify(opt('apiservers', '2'))}`)
  process.exit(2)
}

const agent = new Agent({ keepAlive: true, maxSockets: 128 })

function call(port: number, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

interface Result { op: string; inflight: number; n: number; rps: number; p50: number; p99: number; errors: number; codes: Record<string, number> }

async function run(op: string, inflight: number, n: number, fn: (i: number) => Promise<number>): Promise<Result> {
  const lat: number[] = []
  let errors = 0
  const codes: Record<string, number> = {}
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (next < n) {
      const i = next++
      const s = performance.now()
      const code = await fn(i).catch(() => 0)
      lat.push(performance.now() - s)
      if (code < 200 || code >= 300) {
        errors++
        codes[code] = (codes[code] ?? 0) + 1
      }
    }
  }))
  const secs = (performance.now() - t0) / 1000
  lat.sort((a, b) => a - b)
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
  return { op, inflight, n, rps: n / secs, p50: q(0.5), p99: q(0.99), errors, codes }
}

async function main() {
  let port: number
  let close: () => Promise<void>
  if (backend === 'memory') {
    const gw = await startMemoryGateway()
    const lb = await startLoadBalancer({ port: 0, backends: [{ id: 'apiserver-0', host: '127.0.0.1', port: gw.port }] })
    port = lb.port
    close = async () => {
      await lb.close()
      await gw.close()
    }
  } else if (backend === 'cluster') {
    const { startCluster, waitReady } = await import('./cluster/harness.ts')
    const c = await startCluster({ nodes: 0, nodesPerThread: 100, timings: 'lab', capacity: { cpu: '4', memory: '8Gi', pods: '110' }, storage: 'disk', apiservers })
    await waitReady(c, 120_000)
    const backends = c.sup.status().filter((a) => a.id.startsWith('apiserver-')).map((a) => ({ id: a.id, host: '127.0.0.1', port: a.report.info?.port as number }))
    const lb = await startLoadBalancer({ port: 0, backends, healthIntervalMs: 300 })
    port = lb.port
    close = async () => {
      await lb.close()
      await c.stop()
    }
  } else {
    const c = await startRealApiServers(apiservers)
    port = c.lb.port
    close = () => c.close()
  }
  const results: Result[] = []
  for (const inflight of [1, 64]) {
    const prefix = `b${inflight}-`
    const n = inflight === 1 ? Math.min(N, 1000) : N
    results.push(await run('create configmap', inflight, n, (i) => call(port, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}${i}` }, data: { k: 'v' } }))))
    results.push(await run('get configmap', inflight, n, (i) => call(port, 'GET', `/api/v1/namespaces/default/configmaps/${prefix}${i % n}`)))
    results.push(await run('list configmaps (label selector, 0 matches)', inflight, Math.ceil(n / 4), () => call(port, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=none%3Dx')))
    results.push(await run('list 100 configmaps (limit=100)', inflight, Math.ceil(n / 10), () => call(port, 'GET', '/api/v1/namespaces/default/configmaps?limit=100')))
  }
  // kubectl apply of a 100-object manifest, end to end (one kubectl process).
  const k = await kubectlFor(port)
  const docs = Array.from({ length: 100 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-${i}\n  labels: {bench: apply}\ndata:\n  index: "${i}"\n`).join('---\n')
  await k.run(['version'])
  const t0 = performance.now()
  const r = await k.run(['apply', '-f', '-'], { stdin: docs, timeoutMs: 300_000 })
  const applyMs = performance.now() - t0
  const t1 = performance.now()
  const r2 = await k.run(['apply', '-f', '-'], { stdin: docs, timeoutMs: 300_000 })
  const reapplyMs = performance.now() - t1
  await k.cleanup()
  await close()
  agent.destroy()

  const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 0)
  const described = {
    cluster: `the control plane on worker threads (etcd shards main and events, 3 Raft replicas each, WAL fsync on; ${apiservers} apiserver(s); schedulers and controller-managers), through the load balancer`,
    real: `${apiservers} ApiServer actor(s) over fake etcd (3 replicas per shard), LocalSystem, through the load balancer`,
    memory: 'HTTP gateway over an in-memory core (gateway + load balancer cost only)',
  }[backend]
  console.log(`\nBackend: ${described}; Node ${process.version}; ${new Date().toISOString()}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}\n`)
  console.log('| operation | in flight | requests | req/s | p50 ms | p99 ms | non-2xx |')
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const x of results) console.log(`| ${x.op} | ${x.inflight} | ${x.n} | ${fmt(x.rps)} | ${fmt(x.p50)} | ${fmt(x.p99)} | ${x.errors}${x.errors ? ` (${Object.entries(x.codes).map(([c, k]) => `${c}: ${k}`).join(', ')})` : ''} |`)
  console.log(`\n\`kubectl apply -f\` of 100 ConfigMaps (create): ${fmt(applyMs)} ms (exit ${r.code}); again (all unchanged): ${fmt(reapplyMs)} ms (exit ${r2.code})`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
