import t from 'tap'
import { fileURLToPath } from 'node:url'
import { loadTopology, parseTopology } from '../../../runtime/topology/index.ts'
import { isSupervisorSpec, type SupervisorSpec } from '../../../runtime/plan.ts'
import {
  apiserverEndpoints, buildPlan, formatPlanSummary, planChildren, preferredApiservers, summarizePlan,
} from '../../../actors/plan.ts'
import type { ApiServerArgs, ControllerManagerArgs, DashboardArgs, EtcdArgs, KubeletArgs, KubeProxyArgs, SchedulerArgs } from '../../../actors/args.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/topologies/${name}`, import.meta.url))
const head = 'apiVersion: actorkube/v1\nkind: Topology\n'

t.test('the default topology: ids, kinds and threads', async (t) => {
  const plan = buildPlan(await loadTopology())
  const rows = planChildren(plan).map((c) => [c.spec.id, c.spec.kind, c.thread])
  t.same(rows, [
    ['etcd-main-0', 'etcd', 'etcd-main-0'], ['etcd-main-1', 'etcd', 'etcd-main-1'], ['etcd-main-2', 'etcd', 'etcd-main-2'],
    ['etcd-events-0', 'etcd', 'etcd-events-0'], ['etcd-events-1', 'etcd', 'etcd-events-1'], ['etcd-events-2', 'etcd', 'etcd-events-2'],
    ['apiserver-0', 'apiserver', 'apiserver-0'], ['apiserver-1', 'apiserver', 'apiserver-1'],
    ['scheduler-0', 'scheduler', 'scheduler-0'], ['scheduler-1', 'scheduler', 'scheduler-1'],
    ['controller-manager-0', 'controller-manager', 'controller-manager-0'], ['controller-manager-1', 'controller-manager', 'controller-manager-1'],
    ['kubelet@node-0', 'kubelet', 'nodes-0'], ['kube-proxy@node-0', 'kube-proxy', 'nodes-0'],
    ['kubelet@node-1', 'kubelet', 'nodes-0'], ['kube-proxy@node-1', 'kube-proxy', 'nodes-0'],
    ['kubelet@node-2', 'kubelet', 'nodes-0'], ['kube-proxy@node-2', 'kube-proxy', 'nodes-0'],
    ['dns-0', 'dns', 'addons'], ['dashboard-0', 'dashboard', 'addons'],
  ])
  t.equal(plan.heartbeatMs, 100)
  t.equal(plan.hangTimeoutMs, 800)
  t.equal(plan.dataDir, '.actorkube/data')
  t.equal(plan.fsync, true)
  for (const c of planChildren(plan)) {
    t.equal(c.restart, 'permanent')
    t.same(c.backoff, { initialMs: 10, maxMs: 5000, jitter: 0.2 })
  }
})

t.test('supervision tree: root one_for_one, a supervisor per shard and per component, start order', async (t) => {
  const plan = buildPlan(await loadTopology(fixture('full.yaml')))
  t.equal(plan.root.strategy, 'one_for_one')
  const subs = plan.root.children as SupervisorSpec[]
  t.ok(subs.every(isSupervisorSpec))
  t.same(subs.map((s) => [s.id, s.children.length]), [
    ['etcd-main', 3], ['etcd-events', 1], ['apiservers', 3], ['schedulers', 2], ['controller-managers', 3], ['nodes', 10], ['addons', 3],
  ])
  for (const s of subs) t.same([s.strategy, s.intensity, s.periodMs], ['rest_for_one', 3, 10_000], s.id)
  t.same(plan.root.intensity, 3)
})

t.test('args: etcd, apiserver, scheduler, controller-manager', async (t) => {
  const topo = await loadTopology(fixture('full.yaml'))
  const plan = buildPlan(topo, { dataDir: '/var/lab/' })
  t.equal(plan.dataDir, '/var/lab/data', '--data-dir overrides storage.dataDir')
  const byId = new Map(planChildren(plan).map((c) => [c.spec.id, c.spec]))
  const etcd = byId.get('etcd-main-1')!
  t.equal(etcd.storage, 'disk')
  t.same(etcd.args as EtcdArgs, {
    shard: 'main', members: ['etcd-main-0', 'etcd-main-1', 'etcd-main-2'], heartbeatMs: 100, electionTimeoutMs: [1000, 2000],
    snapshotEntries: 500, historyRevisions: 2000, storage: 'disk', fsync: false,
  })
  const api = byId.get('apiserver-2')!.args as ApiServerArgs
  t.same(api, {
    index: 2,
    shards: { main: ['etcd-main-0', 'etcd-main-1', 'etcd-main-2'], events: ['etcd-events-0'] },
    resourceShards: { events: 'events' },
    defaultShard: 'main',
    serviceCIDR: '127.100.0.0/20',
    watchCacheSize: 200,
    requestTimeoutMs: 30_000,
    maxRequestsInflight: 400,
    maxMutatingRequestsInflight: 200,
    defaultTolerationSeconds: 60,
    advertise: { host: '127.0.0.1', port: 16443 },
    http: { host: '127.0.0.1', port: 17002 },
    tokens: topo.tokens,
  })
  t.same(byId.get('scheduler-1')!.args as SchedulerArgs, {
    apiservers: ['apiserver-1', 'apiserver-2', 'apiserver-0'],
    lease: { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 1000 },
    schedulerName: 'lab-scheduler',
    percentageOfNodesToScore: 50,
  })
  t.same(byId.get('controller-manager-2')!.args as ControllerManagerArgs, {
    apiservers: ['apiserver-2', 'apiserver-0', 'apiserver-1'],
    lease: { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 500 },
    nodeMonitorGracePeriodMs: 20_000,
    podEvictionTimeoutMs: 60_000,
    resyncMs: 60_000,
  })
})

t.test('args: node agents and add-ons; nodes packed nodesPerThread per thread', async (t) => {
  const plan = buildPlan(await loadTopology(fixture('full.yaml')), { controlUrl: 'http://127.0.0.1:9999' })
  const children = planChildren(plan)
  const byId = new Map(children.map((c) => [c.spec.id, c]))
  t.same(children.filter((c) => c.spec.kind === 'kubelet').map((c) => [c.spec.id, c.thread]), [
    ['kubelet@gpu-0', 'nodes-0'], ['kubelet@worker-0', 'nodes-0'], ['kubelet@worker-1', 'nodes-1'], ['kubelet@worker-2', 'nodes-1'], ['kubelet@worker-3', 'nodes-2'],
  ])
  const gpu = byId.get('kubelet@gpu-0')!.spec.args as KubeletArgs
  t.same(gpu, {
    apiservers: ['apiserver-0', 'apiserver-1', 'apiserver-2'],
    node: {
      name: 'gpu-0', capacity: { cpu: '16', memory: '16Gi', pods: '50' }, labels: { tier: 'general', accelerator: 'gpu' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], podCIDR: '127.200.0.0/24', runtime: 'process',
    },
    nodeStatusUpdateMs: 5000, nodeStatusReportMs: 300_000, nodeLeaseDurationMs: 10_000, nodeLeaseRenewMs: 2500,
    crashLoopBackoff: { initialMs: 500, maxMs: 10_000, resetMs: 30_000 },
  })
  t.same(byId.get('kube-proxy@worker-0')!.spec.args as KubeProxyArgs, {
    apiservers: ['apiserver-1', 'apiserver-2', 'apiserver-0'], node: 'worker-0', mode: 'least-connections', proxyTcp: true,
  })
  t.same(byId.get('dns-0')!.spec.args, { apiservers: ['apiserver-0', 'apiserver-1', 'apiserver-2'], listen: { host: '127.0.0.1', port: 10054 }, clusterDomain: 'lab.local', ttlSeconds: 5 })
  t.same(byId.get('ingress-0')!.spec.args, { apiservers: ['apiserver-1', 'apiserver-2', 'apiserver-0'], listen: { host: '127.0.0.1', port: 8081 } })
  const dash = byId.get('dashboard-0')!.spec.args as DashboardArgs
  t.same(dash, { apiservers: ['apiserver-2', 'apiserver-0', 'apiserver-1'], listen: { host: '127.0.0.1', port: 8002 }, controlUrl: 'http://127.0.0.1:9999' })
  for (const id of ['dns-0', 'ingress-0', 'dashboard-0']) t.equal(byId.get(id)!.thread, 'addons')
})

t.test('simulator plans: no HTTP listeners, no TCP proxying, no control URL', async (t) => {
  const plan = buildPlan(await loadTopology(fixture('full.yaml')), { sim: true, controlUrl: 'http://x' })
  const byId = new Map(planChildren(plan).map((c) => [c.spec.id, c.spec.args]))
  t.equal((byId.get('apiserver-0') as ApiServerArgs).http, undefined)
  t.equal((byId.get('kube-proxy@gpu-0') as KubeProxyArgs).proxyTcp, false)
  t.equal((byId.get('dashboard-0') as DashboardArgs).controlUrl, undefined)
  t.same(apiserverEndpoints(plan), [])
})

t.test('spread: component i prefers apiserver i mod n, then the rest in order', async (t) => {
  const api = ['apiserver-0', 'apiserver-1', 'apiserver-2']
  const table: Array<[number, string[]]> = [
    [0, ['apiserver-0', 'apiserver-1', 'apiserver-2']],
    [1, ['apiserver-1', 'apiserver-2', 'apiserver-0']],
    [2, ['apiserver-2', 'apiserver-0', 'apiserver-1']],
    [3, ['apiserver-0', 'apiserver-1', 'apiserver-2']],
    [7, ['apiserver-1', 'apiserver-2', 'apiserver-0']],
  ]
  for (const [i, want] of table) t.same(preferredApiservers(api, i), want, `i=${i}`)
  t.same(preferredApiservers([], 3), [])
  const plan = buildPlan(parseTopology(head + 'apiservers: { count: 3 }\nnodes: { count: 6 }\n', 'x'))
  const firsts = planChildren(plan).filter((c) => c.spec.kind === 'kubelet').map((c) => (c.spec.args as KubeletArgs).apiservers[0])
  t.same(firsts, ['apiserver-0', 'apiserver-1', 'apiserver-2', 'apiserver-0', 'apiserver-1', 'apiserver-2'])
})

t.test('placement: one thread per component when controlPlaneThreadPerInstance is false', async (t) => {
  const plan = buildPlan(parseTopology(head + 'placement: { controlPlaneThreadPerInstance: false, nodesPerThread: 1 }\nnodes: { count: 2 }\n', 'x'))
  const threads = [...new Set(planChildren(plan).map((c) => c.thread))]
  t.same(threads, ['etcd-main', 'etcd-events', 'apiservers', 'schedulers', 'controller-managers', 'nodes-0', 'nodes-1', 'addons'])
})

t.test('placement: thread heap limits reach the plan; 0 leaves V8 its default', async (t) => {
  t.same(buildPlan(parseTopology(head, 'x')).threadHeap, { maxOldGenerationSizeMb: 1536, maxYoungGenerationSizeMb: 12 }, 'the defaults')
  t.same(buildPlan(parseTopology(head + 'placement: { threadMaxOldGenerationMb: 0, threadMaxYoungGenerationMb: 24 }\n', 'x')).threadHeap, { maxYoungGenerationSizeMb: 24 })
  t.equal(buildPlan(parseTopology(head + 'placement: { threadMaxOldGenerationMb: 0, threadMaxYoungGenerationMb: 0 }\n', 'x')).threadHeap, undefined)
  t.throws(() => parseTopology(head + 'placement: { threadMaxYoungGenerationMb: -1 }\n', 'x'), { message: /placement\.threadMaxYoungGenerationMb/ })
})

t.test('empty groups are left out of the tree; memory storage reaches etcd', async (t) => {
  const plan = buildPlan(await loadTopology(fixture('small.yaml')))
  t.same((plan.root.children as SupervisorSpec[]).map((s) => s.id), ['etcd-main', 'apiservers', 'schedulers', 'controller-managers', 'nodes'])
  const etcd = planChildren(plan)[0]
  t.equal(etcd.spec.storage, 'memory')
  t.equal((etcd.spec.args as EtcdArgs).storage, 'memory')
  const none = buildPlan(parseTopology(head + 'scheduler: { count: 0 }\nnodes: { list: [] , count: 0 }\naddons: { dns: { enabled: false }, dashboard: { enabled: false } }\n', 'x'))
  t.same((none.root.children as SupervisorSpec[]).map((s) => s.id), ['etcd-main', 'etcd-events', 'apiservers', 'controller-managers'])
})

t.test('endpoints and summary', async (t) => {
  const plan = buildPlan(await loadTopology())
  t.same(apiserverEndpoints(plan), [{ id: 'apiserver-0', host: '127.0.0.1', port: 0 }, { id: 'apiserver-1', host: '127.0.0.1', port: 0 }])
  const s = summarizePlan(plan)
  t.equal(s.actors, 20)
  t.equal(s.threads, 14)
  t.equal(s.nodes, 3)
  t.equal(formatPlanSummary(s), '20 actors on 14 threads: etcd 6 (main 3, events 3), apiserver 2, scheduler 2, controller-manager 2, kubelet 3, kube-proxy 3, dns 1, dashboard 1')
})

t.test('a plan is plain data: it survives a JSON round trip unchanged', async (t) => {
  const plan = buildPlan(await loadTopology(fixture('full.yaml')))
  t.same(JSON.parse(JSON.stringify(plan)), plan)
  const ids = planChildren(plan).map((c) => c.spec.id)
  t.equal(new Set(ids).size, ids.length, 'ids are unique')
})
