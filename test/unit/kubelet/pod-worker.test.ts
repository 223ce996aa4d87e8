import t from 'tap'
import { CrashBackoff } from '../../../actors/kubelet/backoff.ts'
import { IpAllocator } from '../../../actors/kubelet/ip-alloc.ts'
import { PodWorker, type WorkerEnv } from '../../../actors/kubelet/pod-worker.ts'
import { SimRuntime } from '../../../actors/kubelet/sim-runtime.ts'
import type { KObject, Pod } from '../../../protocols/k8s.ts'
import { silentLog, VirtualClock } from './virtual-clock.ts'

function setup(pod: Pod, objects: Record<string, KObject> = {}, clock = new VirtualClock()) {
  const runtime = new SimRuntime(clock)
  const ipam = new IpAllocator('127.244.1.0/24')
  const events: Array<{ type: string; reason: string; message: string; at: number }> = []
  let terminated = false
  const env: WorkerEnv = {
    runtime,
    clock,
    nodeName: 'node-1',
    hostIP: ipam.gateway(),
    allocateIP: (o, prefer) => ipam.allocate(o, prefer),
    releaseIP: (o) => ipam.release(o),
    backoff: new CrashBackoff({ initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 }),
    event: (_p, type, reason, message) => events.push({ type, reason, message, at: clock.now() }),
    statusChanged: () => {},
    terminated: () => {
      terminated = true
    },
    log: silentLog,
    envSources: { get: async (resource, ns, name) => objects[`${resource}/${ns}/${name}`] },
    allocatable: { cpu: '4', memory: '8Gi' },
  }
  const w = new PodWorker(pod, env)
  runtime.onContainerExit((id) => w.containerExited(id))
  return { clock, runtime, ipam, events, w, isTerminated: () => terminated }
}

const pod = (spec: Partial<Pod['spec']>, annotations: Record<string, string> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'uid-1', annotations },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
})

t.test('an ordinary image runs forever and is Ready', async (t) => {
  const { clock, w, events } = setup(pod({}))
  w.sync()
  await clock.advance(5_000)
  const s = w.status()
  t.equal(s.phase, 'Running')
  t.equal(s.podIP, '127.244.1.2')
  t.equal(s.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
  t.same(events.map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started'])
  t.ok(s.containerStatuses?.[0]?.state.running)
  await clock.advance(3_600_000)
  t.equal(w.status().containerStatuses?.[0]?.restartCount, 0)
})

t.test('CrashLoopBackOff: restarts at 10s, 20s, 40s ... capped at 5 min (virtual time)', async (t) => {
  const { clock, w, events } = setup(pod({}, { 'sim.actorkube.io/behaviour': 'crash-every=1s,start-delay=0ms,pull=0ms' }))
  w.sync()
  await clock.advance(30 * 60_000)
  const starts = events.filter((e) => e.reason === 'Started').map((e) => e.at)
  const gaps = starts.slice(1).map((s, i) => s - starts[i]! - 1000)
  t.same(gaps.slice(0, 6), [10_000, 20_000, 40_000, 80_000, 160_000, 300_000])
  t.ok(gaps.slice(6).every((g) => g === 300_000), 'capped at maxMs')
  const cs = w.status().containerStatuses![0]!
  t.equal(cs.restartCount, starts.length - 1)
  t.ok(events.some((e) => e.reason === 'BackOff' && e.type === 'Warning'))
  t.equal(w.status().phase, 'Running', 'a crash-looping pod with restartPolicy Always is Running')
})

t.test('a back-off timer that fires early still restarts the container', async (t) => {
  const { clock, w, events } = setup(pod({}, { 'sim.actorkube.io/behaviour': 'crash-every=1s,start-delay=0ms,pull=0ms' }), {}, new VirtualClock(1_700_000_000_000, 1))
  w.sync()
  await clock.advance(5 * 60_000)
  const starts = events.filter((e) => e.reason === 'Started').length
  t.ok(starts >= 4, `restarted after each back-off (${starts} starts)`)
  t.equal(w.status().containerStatuses?.[0]?.restartCount, starts - 1)
})

t.test('the backoff resets after running for resetMs', async (t) => {
  const { clock, w, events } = setup(pod({}, { 'sim.actorkube.io/behaviour': 'crash-every=11m,start-delay=0ms,pull=0ms' }))
  w.sync()
  await clock.advance(40 * 60_000)
  const starts = events.filter((e) => e.reason === 'Started').map((e) => e.at)
  const gaps = starts.slice(1).map((s, i) => s - starts[i]! - 11 * 60_000)
  t.ok(gaps.length >= 2)
  t.ok(gaps.every((g) => g === 10_000), 'every restart waits only initialMs')
})

t.test('restartPolicy Never: exit 3 makes the pod Failed; OnFailure: exit 0 Succeeded', async (t) => {
  const a = setup(pod({ restartPolicy: 'Never' }, { 'sim.actorkube.io/behaviour': 'exit=3@2s' }))
  a.w.sync()
  await a.clock.advance(60_000)
  t.equal(a.w.status().phase, 'Failed')
  t.equal(a.w.status().containerStatuses![0]!.state.terminated?.exitCode, 3)
  const b = setup(pod({ restartPolicy: 'OnFailure' }, { 'sim.actorkube.io/behaviour': 'exit=0@2s' }))
  b.w.sync()
  await b.clock.advance(60_000)
  t.equal(b.w.status().phase, 'Succeeded')
  t.equal(b.w.status().containerStatuses![0]!.restartCount, 0)
})

t.test('init containers run in order before app containers', async (t) => {
  const { clock, w, events } = setup(
    pod({
      initContainers: [
        { name: 'i1', image: 'actorkube/sim:exit-0-after-1s' },
        { name: 'i2', image: 'actorkube/sim:exit-0-after-2s' },
      ],
    }),
  )
  w.sync()
  await clock.advance(500)
  t.equal(w.status().phase, 'Pending')
  await clock.advance(60_000)
  const started = events.filter((e) => e.reason === 'Started').map((e) => e.message)
  t.same(started, ['Started container i1', 'Started container i2', 'Started container app'])
  const s = w.status()
  t.equal(s.phase, 'Running')
  t.equal(s.conditions?.find((c) => c.type === 'Initialized')?.status, 'True')
  t.equal(s.initContainerStatuses?.[1]?.state.terminated?.exitCode, 0)
})

t.test('a failing liveness probe restarts the container; readiness drives Ready', async (t) => {
  const { clock, w, events } = setup(
    pod(
      {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1, failureThreshold: 2 },
            readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
          },
        ],
      },
      { 'sim.actorkube.io/behaviour': 'liveness-fail-after=5s,not-ready-for=3s' },
    ),
  )
  w.sync()
  await clock.advance(2_000)
  t.equal(w.status().conditions?.find((c) => c.type === 'Ready')?.status, 'False', 'not ready before readiness succeeds')
  await clock.advance(2_500)
  t.equal(w.status().conditions?.find((c) => c.type === 'Ready')?.status, 'True')
  await clock.advance(4_000)
  t.ok(events.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed')))
  t.ok(events.some((e) => e.reason === 'Killing' && e.message.includes('failed liveness probe')))
  await clock.advance(20_000)
  t.ok(w.status().containerStatuses![0]!.restartCount >= 1)
})

t.test('graceful termination stops containers, frees the IP and reports done', async (t) => {
  const { clock, w, events, ipam, isTerminated, runtime } = setup(pod({}))
  w.sync()
  await clock.advance(5_000)
  t.equal(ipam.inUse(), 1)
  w.update({ ...w.pod, metadata: { ...w.pod.metadata, deletionTimestamp: new Date(clock.now()).toISOString(), deletionGracePeriodSeconds: 30 } })
  await clock.advance(1_000)
  t.ok(isTerminated())
  t.equal(ipam.inUse(), 0)
  t.equal(runtime.size(), 0)
  t.ok(events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container app'))
})

t.test('after a kubelet restart a pod keeps its IP and counts the lost container as a restart', async (t) => {
  const before = setup(pod({}))
  before.w.sync()
  await before.clock.advance(5_000)
  const status = before.w.status()
  const p2: Pod = { ...pod({}), status: { ...status, podIP: '127.244.1.9' } }
  const { clock, w } = setup(p2)
  w.sync()
  await clock.advance(5_000)
  const s = w.status()
  t.equal(s.podIP, '127.244.1.9', 'the reported IP is kept')
  t.equal(s.containerStatuses![0]!.restartCount, 1)
  t.equal(s.phase, 'Running')
})

t.test('env from ConfigMaps, Secrets and pod fields; a missing source is CreateContainerConfigError until it appears', async (t) => {
  const objects: Record<string, KObject> = {}
  const p = pod({
    nodeName: 'node-1',
    containers: [{
      name: 'app', image: 'nginx', command: ['echo', '$(GREETING)', '$$(GREETING)'],
      resources: { limits: { memory: '256Mi' } },
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'missing', optional: true } }],
      env: [
        { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'BOTH', value: '$(ME)@$(NODE) $$(ME) $(NOPE)' },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'none', key: 'x', optional: true } } },
        { name: 'POD_NAME', value: 'mine' },
      ],
    }],
  })
  const { clock, runtime, events, w } = setup(p, objects)
  const created: Array<{ env: Record<string, string>; command?: string[] }> = []
  const create = runtime.createContainer.bind(runtime)
  runtime.createContainer = async (cfg) => {
    created.push({ env: cfg.env, command: cfg.container.command })
    return create(cfg)
  }
  w.sync()
  await clock.advance(2_000)
  t.equal(created.length, 0, 'no container while the ConfigMap is missing')
  const cs = w.status().containerStatuses![0]!
  t.equal(cs.state.waiting?.reason, 'CreateContainerConfigError')
  t.equal(cs.state.waiting?.message, 'configmap "cfg" not found')
  t.ok(events.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.message === 'Error: configmap "cfg" not found'))

  objects['configmaps/default/cfg'] = { metadata: { name: 'cfg' }, data: { greeting: 'hello', 'log.level': 'debug', 'bad key': 'x' } } as unknown as KObject
  await clock.advance(15_000)
  t.equal(created.length, 0)
  t.match(w.status().containerStatuses![0]!.state.waiting?.message, /secret "creds" not found/, 'the next missing source is named')

  objects['secrets/default/creds'] = { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } } as unknown as KObject
  await clock.advance(30_000)
  t.equal(created.length, 1, 'the container is created once every source exists')
  const env = created[0]!.env
  t.equal(env.GREETING, 'hello')
  t.equal(env['CFG_log.level'], 'debug', 'envFrom with a prefix')
  t.notOk('CFG_bad key' in env, 'keys that are not valid variable names are skipped')
  t.equal(env.PASSWORD, 's3cret', 'Secret values are decoded')
  t.equal(env.ME, 'p')
  t.equal(env.NODE, 'node-1')
  t.equal(env.IP, '127.244.1.2')
  t.equal(env.MEM_MI, '256')
  t.equal(env.CPUS, '4', 'an unset cpu limit is the node allocatable')
  t.equal(env.BOTH, 'p@node-1 $(ME) $(NOPE)', '$(VAR) expands, $$ escapes, unknown references stay')
  t.notOk('OPT' in env, 'an optional missing key is left out')
  t.equal(env.POD_NAME, 'mine', 'the pod may override the variables the runtime sets')
  t.same(created[0]!.command, ['echo', 'hello', '$(GREETING)'], 'command expands from the environment')
  t.equal(w.status().phase, 'Running')
})
