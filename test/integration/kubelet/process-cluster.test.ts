// A Deployment of 3 real HTTP server processes behind a Service, through the scheduler, the
// controller-manager, 3 kubelets (process runtime) and kube-proxy carrying TCP, in real time.
// The API server is the in-memory fake (test/helpers/fake-apiserver.ts).
import t from 'tap'
import { request } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalSystem } from '../../../runtime/local.ts'
import { nodeProcIo } from '../../../runtime/io/proc-node.ts'
import { nodeTcpIo } from '../../../runtime/io/tcp-node.ts'
import type { Deployment, Endpoints, KEvent, Pod, Service } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { create as createKubelet, type Kubelet } from '../../../actors/kubelet/actor.ts'
import { create as createProxy, type KubeProxy } from '../../../actors/kube-proxy/actor.ts'
import { create as createScheduler } from '../../../actors/scheduler/actor.ts'
import { create as createCM } from '../../../actors/controller-manager/actor.ts'
import type { ProcessRuntime } from '../../../actors/kubelet/process-runtime.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const FIXTURE = new URL('../../fixtures/http-server.js', import.meta.url).pathname
const SVC_PORT = 20000 + (process.pid % 2000)
const VIP = '127.96.77.10'
const lease = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 }

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve(body.trim()))
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.end()
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('process pods behind a Service: spread, restarts, probes, deletion', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'actorkube-proc-'))
  const sys = new LocalSystem({ io: { proc: nodeProcIo(), tcp: nodeTcpIo() } })
  t.teardown(async () => {
    await sys.shutdown()
    rmSync(dir, { recursive: true, force: true })
  })
  const cluster = new FakeCluster(50_000)
  // On a failed wait, print what the pods and their events looked like.
  const waitFor = async (cond: () => boolean, ms: number): Promise<boolean> => {
    const ok = await sys.waitFor(cond, ms)
    if (!ok) {
      for (const p of cluster.all<Pod>(R.pods)) t.comment(`${p.metadata.name} on ${p.spec.nodeName}: ${JSON.stringify(p.status?.containerStatuses)}`)
      t.comment(cluster.all<KEvent>(R.events).map((e) => `${e.involvedObject.name} ${e.reason} ${e.message}`).join('\n'))
      t.comment(JSON.stringify(sys.crashes))
    }
    return ok
  }
  const api = fakeApiServer({ cluster })
  sys.spawn('apiserver-0', (ctx) => api(ctx, {}))
  sys.spawn('scheduler-0', (ctx) => createScheduler(ctx, { apiservers: ['apiserver-0'], lease, schedulerName: 'default-scheduler', percentageOfNodesToScore: 0 }))
  sys.spawn('controller-manager-0', (ctx) => createCM(ctx, { apiservers: ['apiserver-0'], lease, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 30_000, resyncMs: 60_000 }))
  for (let i = 0; i < 3; i++) {
    sys.spawn(`kubelet@node-${i}`, (ctx) =>
      createKubelet(ctx, {
        apiservers: ['apiserver-0'],
        node: { name: `node-${i}`, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, labels: {}, taints: [], podCIDR: `127.244.${60 + i}.0/24`, runtime: 'process' },
        nodeStatusUpdateMs: 5000,
        nodeLeaseDurationMs: 40_000,
        nodeLeaseRenewMs: 2000,
        crashLoopBackoff: { initialMs: 200, maxMs: 2000, resetMs: 60_000 },
      }),
    )
  }
  sys.spawn('kube-proxy@node-0', (ctx) => createProxy(ctx, { apiservers: ['apiserver-0'], node: 'node-0', mode: 'random', proxyTcp: true }))

  const probe = { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 }
  const dep: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          runtimeClassName: 'process',
          terminationGracePeriodSeconds: 5,
          containers: [{
            name: 'web',
            image: 'node',
            command: [process.execPath, FIXTURE],
            args: [`--fail-liveness-file=${dir}/dead-{pod}`, `--fail-readiness-file=${dir}/unready-{pod}`],
            env: [{ name: 'PORT', value: '8080' }],
            ports: [{ name: 'http', containerPort: 8080 }],
            // Node takes a moment to start: the startup probe holds liveness back until it listens.
            startupProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1, failureThreshold: 30 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, ...probe },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 }, ...probe, failureThreshold: 1 },
          }],
        },
      },
    },
  }
  const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: VIP, selector: { app: 'web' }, ports: [{ port: SVC_PORT, targetPort: 'http' }] } }
  t.ok(await waitFor(() => cluster.all(R.nodes).length === 3, 10_000), 'three nodes registered')
  cluster.put(R.services, svc)
  cluster.put(R.deployments, dep)

  const pods = () => cluster.all<Pod>(R.pods).filter((p) => p.metadata.labels?.app === 'web')
  const readyPods = () => pods().filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
  const proxy = () => sys.behaviour('kube-proxy@node-0') as KubeProxy
  const ruleIps = () => proxy().rules.get('default/web:')?.endpoints.map((e) => e.ip) ?? []
  const up = await waitFor(() => readyPods().length === 3 && ruleIps().length === 3, 30_000)
  if (!up) {
    t.comment(JSON.stringify(pods().map((p) => ({ n: p.metadata.name, node: p.spec.nodeName, st: p.status })), null, 1))
    t.comment(JSON.stringify(cluster.all<Endpoints>(R.endpoints)))
    t.comment(JSON.stringify(cluster.all<KEvent>(R.events).map((e) => `${e.involvedObject.name} ${e.reason} ${e.message}`)))
    t.comment(JSON.stringify(sys.crashes))
  }
  t.ok(up, 'three pods Ready and in kube-proxy\'s rules')
  t.ok(await waitFor(() => proxy().rules.size > 0 && (sys.reports.get('kube-proxy@node-0')?.info?.listeners as string[] | undefined)?.includes(`${VIP}:${SVC_PORT}`) === true, 15_000), 'listening on the ClusterIP')
  const names = pods().map((p) => p.metadata.name ?? '').sort()
  t.equal(new Set(pods().map((p) => p.spec.nodeName)).size >= 2, true, 'spread over nodes')

  // Many connections to the ClusterIP: every pod answers, each about 1/3 of the time.
  const N = 300
  const counts = new Map<string, number>()
  for (let i = 0; i < N; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, () => get(VIP, SVC_PORT)))
    for (const b of batch) counts.set(b, (counts.get(b) ?? 0) + 1)
  }
  t.same([...counts.keys()].sort(), names, 'answered by all three pods')
  // Binomial(300, 1/3): mean 100, sd 8.2; 5 sd either side fails with p < 1e-6.
  for (const [n, c] of counts) t.ok(Math.abs(c - N / 3) < 5 * Math.sqrt((N * 2) / 9), `${n}: ${c} of ${N}`)

  const kubeletOf = (p: Pod) => sys.behaviour(`kubelet@${p.spec.nodeName}`) as Kubelet
  const pidOf = (p: Pod): number | undefined => {
    const k = kubeletOf(p)
    const w = k.workers.get(p.metadata.uid ?? '')
    const id = w?.app[0]?.id
    return id ? (k.runtimes.get('process') as ProcessRuntime).pid(id) : undefined
  }
  const byName = (n: string) => pods().find((p) => p.metadata.name === n)
  const restarts = (n: string) => byName(n)?.status?.containerStatuses?.[0]?.restartCount ?? -1

  // A killed container process is restarted and its restartCount grows.
  const [a, b, c] = names as [string, string, string]
  const pidA = pidOf(byName(a)!)!
  t.ok(pidA > 0 && alive(pidA))
  process.kill(pidA, 'SIGKILL')
  t.ok(await waitFor(() => restarts(a) === 1 && byName(a)?.status?.containerStatuses?.[0]?.state.running !== undefined, 15_000), 'killed process restarted, restartCount 1')
  t.equal(byName(a)?.status?.containerStatuses?.[0]?.lastState.terminated?.exitCode, 137)
  t.not(pidOf(byName(a)!), pidA, 'a new process')

  // A failing liveness probe restarts the container.
  writeFileSync(join(dir, `dead-${b}`), '')
  const killing = () => cluster.all<KEvent>(R.events).some((e) => e.involvedObject.name === b && e.reason === 'Killing' && (e.message ?? '').includes('failed liveness probe'))
  t.ok(await waitFor(killing, 15_000), 'Killing event for the liveness failure')
  rmSync(join(dir, `dead-${b}`))
  t.ok(await waitFor(() => restarts(b) >= 1, 15_000), 'liveness failure restarted the container')
  t.ok(cluster.all<KEvent>(R.events).some((e) => e.involvedObject.name === b && e.reason === 'Unhealthy' && (e.message ?? '').startsWith('Liveness probe failed: HTTP probe failed with statuscode: 500')))

  // A failing readiness probe takes the pod out of the endpoints and out of kube-proxy's rules.
  const ipC = byName(c)!.status!.podIP!
  writeFileSync(join(dir, `unready-${c}`), '')
  const epNotReady = () => cluster.all<Endpoints>(R.endpoints).find((e) => e.metadata.name === 'web')?.subsets?.some((s) => s.notReadyAddresses?.some((x) => x.ip === ipC)) === true
  t.ok(await waitFor(() => epNotReady() && !ruleIps().includes(ipC), 15_000), 'not ready: out of endpoints and rules')
  // (the pod restarted by its liveness probe may still be starting: wait for the other two)
  t.ok(await waitFor(() => ruleIps().length === 2, 15_000), 'the two ready pods in the rules')
  const after = await Promise.all(Array.from({ length: 30 }, () => get(VIP, SVC_PORT)))
  t.notOk(after.includes(c), 'no traffic to the unready pod')
  rmSync(join(dir, `unready-${c}`))
  t.ok(await waitFor(() => ruleIps().includes(ipC), 15_000), 'ready again: back in the rules')

  // Deleting the pod stops its process.
  const podC = byName(c)!
  const pidC = pidOf(podC)!
  t.ok(alive(pidC))
  cluster.remove(R.pods, 'default', c)
  t.ok(await waitFor(() => !alive(pidC), 10_000), 'process stopped after the pod was deleted')
  t.ok(await waitFor(() => readyPods().length === 3 && !names.every((n) => pods().some((p) => p.metadata.name === n)), 30_000), 'replaced by the Deployment')
})
