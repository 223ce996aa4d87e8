import t from 'tap'
import { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { ClusterPlan } from '../../../runtime/plan.ts'
import type { Fault, FaultResult } from '../../../runtime/faults/types.ts'
import type { ActorStatus } from '../../../runtime/host/status.ts'
import { expandFault, liveApiserverEndpoints, upCommand, type SupervisorLike, type UpDeps } from '../../../runtime/cli/up.ts'
import { planChildren } from '../../../actors/plan.ts'
import { memIo } from './fake-control.ts'
import { claimNetwork, claimTopologyNetwork } from '../../../runtime/host/net-claim.ts'
import { DEFAULT_NETWORK } from '../../../runtime/topology/index.ts'

class FakeSupervisor extends EventEmitter implements SupervisorLike {
  injected: Fault[] = []
  stopped = false
  statuses: ActorStatus[] = []
  constructor(readonly plan: ClusterPlan, readonly logger: Logger) {
    super()
  }
  async start() {
    for (const c of planChildren(this.plan)) {
      this.statuses.push({ id: c.spec.id, thread: c.thread, state: 'running', restarts: 0, report: {} })
      this.logger.info({ event: 'actor.started', actor: c.spec.id, thread: c.thread }, 'actor.started')
      this.emit('event', { time: 0, event: 'actor.started', actor: c.spec.id, thread: c.thread })
    }
    this.emit('report', 'apiserver-0', { ready: true, info: { port: 40001 } })
    this.statuses[1].report = { ready: true, info: { port: 40001 } }
  }
  async stop() {
    this.stopped = true
  }
  status() {
    return this.statuses
  }
  inject(f: Fault): FaultResult {
    this.injected.push(f)
    return { id: `f${this.injected.length}`, kind: f.kind, targets: [], active: false }
  }
}

const topology = `apiVersion: actorkube/v1
kind: Topology
metadata: { name: tiny }
etcd: { shards: [ { name: main, replicas: 1 } ] }
apiservers: { count: 1, http: { port: 0 } }
scheduler: { count: 1 }
controllerManager: { count: 0 }
nodes: { count: 1 }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
faults:
  - { at: 1ms, crash: scheduler-0 }
  - { at: 2ms, partition: etcd-main-0 }
`

t.test('up: plan -> supervisor -> control endpoint -> load balancer -> kubeconfig; clean stop on abort', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ak-up-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'topo.yaml'), topology.replace('dashboard: { enabled: false }', 'dashboard: { enabled: true, port: 0 }'))
  let sup: FakeSupervisor | undefined
  const closed: string[] = []
  const backendSets: unknown[] = []
  let kubeconfig: unknown
  const deps: UpDeps = {
    createSupervisor: async (plan, opts) => {
      t.match(opts.registry, /actors\/registry\.ts$/)
      sup = new FakeSupervisor(plan, opts.logger)
      return sup
    },
    startControl: async () => ({ url: 'http://127.0.0.1:7777', close: async () => void closed.push('control') }),
    startLoadBalancer: async (o) => {
      t.same([o.host, o.port], ['127.0.0.1', 0])
      backendSets.push(o.backends)
      return { url: 'http://127.0.0.1:6443', setBackends: (b) => void backendSets.push(b), close: async () => void closed.push('lb') }
    },
    writeKubeconfig: async (dataDir, o) => {
      kubeconfig = { dataDir, ...o }
      return { path: join(dataDir, 'kubeconfig'), exportLine: `export KUBECONFIG=${join(dataDir, 'kubeconfig')}` }
    },
  }
  const abort = new AbortController()
  const io = memIo({ cwd: dir, signal: abort.signal })
  const running = upCommand(['topo.yaml', '--data-dir', 'state'], io, deps)
  const dataDir = join(dir, 'state')
  // wait until it says it is running (no real sleeping: poll the printed output)
  while (!io.text().includes('actorkube: running')) await new Promise((r) => setImmediate(r))
  const control = JSON.parse(await readFile(join(dataDir, 'control.json'), 'utf8'))
  t.same(control, { url: 'http://127.0.0.1:7777', pid: process.pid })
  t.same(kubeconfig, { dataDir, host: '127.0.0.1', port: 6443, token: undefined })
  t.same(backendSets, [[{ id: 'apiserver-0', host: '127.0.0.1', port: 40001 }]], 'the LB gets the port the apiserver reported')
  sup!.statuses[1].report = { ready: true, info: { port: 40002 } }
  sup!.emit('report', 'apiserver-0', sup!.statuses[1].report)
  sup!.emit('report', 'apiserver-0', sup!.statuses[1].report)
  t.same(backendSets.at(-1), [{ id: 'apiserver-0', host: '127.0.0.1', port: 40002 }], 'a new port reaches the LB')
  t.equal(backendSets.length, 2, 'only changes are pushed')
  while (sup!.injected.length < 2) await new Promise((r) => setTimeout(r, 1))
  t.same(sup!.injected, [
    { kind: 'crash', target: 'scheduler-0' },
    { kind: 'partition', a: ['etcd-main-0'], b: ['apiserver-0', 'scheduler-0', 'kubelet@node-0', 'kube-proxy@node-0', 'dashboard-0'] },
  ], 'the fault timeline is injected, * expanded')
  abort.abort()
  t.equal(await running, 0)
  t.ok(sup!.stopped)
  t.same(closed, ['lb', 'control'], 'stopped in reverse order of starting')
  const dash = planChildren(sup!.plan).find((c) => c.spec.id === 'dashboard-0')!
  t.equal((dash.spec.args as { controlUrl?: string }).controlUrl, 'http://127.0.0.1:7777', 'the dashboard gets the control URL')
  await t.rejects(stat(join(dataDir, 'control.json')), 'control.json removed on stop')
  const out = io.text()
  t.match(out, /actorkube: starting tiny from .*topo\.yaml: 6 actors on 5 threads: etcd 1 \(main 1\), apiserver 1, scheduler 1, kubelet 1, kube-proxy 1, dashboard 1/)
  t.match(out, /\[1\/6\] etcd-main-0 started on thread etcd-main-0/)
  t.match(out, /\[5\/6\] kube-proxy@node-0 started on thread nodes-0/)
  t.match(out, /apiserver-0 ready \(1\/6\)/)
  t.match(out, /control endpoint http:\/\/127\.0\.0\.1:7777/)
  t.match(out, /Kubernetes API http:\/\/127\.0\.0\.1:6443/)
  t.match(out, new RegExp(`export KUBECONFIG=${join(dataDir, 'kubeconfig').replace(/[/.]/g, '\\$&')}`))
  t.match(out, /actorkube: stopped/)
  const log = (await readFile(join(dataDir, 'logs', 'actorkube.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
  t.same(log.filter((r) => r.event === 'actor.started').map((r) => r.actor), ['etcd-main-0', 'apiserver-0', 'scheduler-0', 'kubelet@node-0', 'kube-proxy@node-0', 'dashboard-0'], 'JSON logs go to the data dir')
  t.match(out, /INFO.*actor\.started/, 'pretty logs on the terminal')
})

t.test('up refuses a data dir where a cluster is running', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ak-up-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'topo.yaml'), topology)
  await writeFile(join(dir, 'control.json'), JSON.stringify({ url: 'http://x', pid: process.ppid }))
  const io = memIo({ cwd: dir })
  await t.rejects(upCommand(['topo.yaml', '--data-dir', '.'], io, { createSupervisor: async () => t.fail('not started') as never }), {
    code: 'CLI_USAGE', message: /a cluster is already running in .* \(process \d+\)/,
  })
})

t.test('up without a control endpoint or load balancer still runs and says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ak-up-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'topo.yaml'), topology.replace(/faults:[\s\S]*/, ''))
  const abort = new AbortController()
  const io = memIo({ cwd: dir, signal: abort.signal })
  let sup: FakeSupervisor | undefined
  const running = upCommand(['topo.yaml', '--data-dir', 'd', '--json'], io, {
    createSupervisor: async (plan, o) => (sup = new FakeSupervisor(plan, o.logger)),
  })
  while (!io.errText().includes('actorkube: running')) await new Promise((r) => setImmediate(r))
  abort.abort()
  t.equal(await running, 0)
  t.ok(sup!.stopped)
  t.match(io.errText(), /control endpoint: not available/, 'with --json, progress goes to stderr')
  t.match(io.errText(), /load balancer not available/)
  t.ok(io.text().trim().split('\n').every((l) => JSON.parse(l).level !== undefined), 'with --json, stdout is JSON log lines')
})

t.test('up claims its ranges: it moves off defaults another cluster holds, keeps them when its data dir is resumed, gives them back on stop', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ak-up-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const claims = join(dir, 'claims')
  await writeFile(join(dir, 'topo.yaml'), topology.replace(/faults:[\s\S]*/, ''))
  const other = await claimNetwork(DEFAULT_NETWORK, { dir: claims })
  const run = async () => {
    const abort = new AbortController()
    const io = memIo({ cwd: dir, signal: abort.signal })
    let sup: FakeSupervisor | undefined
    const running = upCommand(['topo.yaml', '--data-dir', 'state'], io, {
      createSupervisor: async (plan, o) => (sup = new FakeSupervisor(plan, o.logger)),
      claimNetwork: (topo, o) => claimTopologyNetwork(topo, { ...o, dir: claims }),
    })
    while (!io.text().includes('actorkube: running')) await new Promise((r) => setImmediate(r))
    const kids = planChildren(sup!.plan)
    const ranges = {
      pods: (kids.find((c) => c.spec.kind === 'kubelet')!.spec.args as { node: { podCIDR: string } }).node.podCIDR,
      services: (kids.find((c) => c.spec.kind === 'apiserver')!.spec.args as { serviceCIDR: string }).serviceCIDR,
      held: (await claimNetwork(DEFAULT_NETWORK, { dir: claims }).then(async (c) => (await c.release(), c.podCIDR))),
    }
    abort.abort()
    t.equal(await running, 0)
    return { ...ranges, out: io.text() }
  }
  const first = await run()
  t.same([first.pods, first.services], ['127.245.0.0/24', '127.97.0.0/16'], 'the next free pair reaches the kubelets and apiservers')
  t.match(first.out, /network: the default ranges are in use by another cluster on this machine; pods on 127\.245\.0\.0\/16, services on 127\.97\.0\.0\/16/)
  t.equal(first.held, '127.246.0.0/16', 'while it runs, its pair is held')
  t.same(JSON.parse(await readFile(join(dir, 'state', 'network.json'), 'utf8')), { podCIDR: '127.245.0.0/16', serviceCIDR: '127.97.0.0/16' }, 'the data dir records its ranges')
  await other.release()
  const again = await run()
  t.same([again.pods, again.services], ['127.245.0.0/24', '127.97.0.0/16'], 'resumed on the ranges its objects carry, though the defaults are free now')
  t.equal(again.held, '127.244.0.0/16', 'after the first stop its pair was free again: only the resumed run holds one')
  const squatter = await claimNetwork({ podCIDR: '127.245.0.0/16', serviceCIDR: '127.120.0.0/16' }, { dir: claims, cluster: 'squatter' })
  t.teardown(() => squatter.release())
  await t.rejects(upCommand(['topo.yaml', '--data-dir', 'state'], memIo({ cwd: dir }), {
    createSupervisor: async () => t.fail('not started') as never,
    claimNetwork: (topo, o) => claimTopologyNetwork(topo, { ...o, dir: claims }),
  }), { code: 'CONFIG_INVALID', path: 'network.podCIDR', message: /127\.245\.0\.0\/16 is in use by another cluster on this machine \(process \d+, cluster squatter/ })
})

t.test('helpers: live apiserver endpoints and partition expansion', async (t) => {
  const plan = { root: { id: 'root', strategy: 'one_for_one', intensity: 1, periodMs: 1, children: [
    { spec: { id: 'apiserver-0', kind: 'apiserver', args: { http: { host: '127.0.0.1', port: 0 } } }, thread: 'a0', restart: 'permanent', backoff: { initialMs: 1, maxMs: 1, jitter: 0 } },
    { spec: { id: 'apiserver-1', kind: 'apiserver', args: { http: { host: '127.0.0.1', port: 9001 } } }, thread: 'a1', restart: 'permanent', backoff: { initialMs: 1, maxMs: 1, jitter: 0 } },
    { spec: { id: 'scheduler-0', kind: 'scheduler', args: {} }, thread: 's0', restart: 'permanent', backoff: { initialMs: 1, maxMs: 1, jitter: 0 } },
  ] }, heartbeatMs: 1, hangTimeoutMs: 2, dataDir: 'd', fsync: false } as ClusterPlan
  const st = (id: string, state: ActorStatus['state'], info?: Record<string, unknown>): ActorStatus => ({ id, thread: id, state, restarts: 0, report: info ? { info } : {} })
  t.same(liveApiserverEndpoints(plan, [st('apiserver-0', 'running'), st('apiserver-1', 'running')]), [{ id: 'apiserver-1', host: '127.0.0.1', port: 9001 }], 'port 0 not yet reported: left out')
  t.same(liveApiserverEndpoints(plan, [st('apiserver-0', 'running', { port: 5000 }), st('apiserver-1', 'restarting')]), [{ id: 'apiserver-0', host: '127.0.0.1', port: 5000 }], 'a restarting instance is left out')
  t.same(expandFault({ kind: 'partition', a: ['scheduler-0'], b: ['*'] }, plan), { kind: 'partition', a: ['scheduler-0'], b: ['apiserver-0', 'apiserver-1'] })
  const f: Fault = { kind: 'crash', target: 'x' }
  t.equal(expandFault(f, plan), f)
})
