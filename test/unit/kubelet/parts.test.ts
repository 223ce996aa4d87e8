import t from 'tap'
import { CrashBackoff } from '../../../actors/kubelet/backoff.ts'
import { IpAllocator, IpExhaustedError, InvalidCidrError } from '../../../actors/kubelet/ip-alloc.ts'
import { LogRing } from '../../../actors/kubelet/log-ring.ts'
import { probeTiming, ProbeState } from '../../../actors/kubelet/probe-state.ts'
import { runtimeFor } from '../../../actors/kubelet/runtime-select.ts'
import { behaviourFor, exitPlan, parseDuration, simProbe, SimVocabularyError } from '../../../actors/kubelet/sim-vocabulary.ts'
import { nodeConditions, nodeObject } from '../../../actors/kubelet/node-object.ts'
import type { Pod } from '../../../protocols/k8s.ts'

t.test('ip allocation from the podCIDR', async (t) => {
  const a = new IpAllocator('127.244.3.0/24')
  t.equal(a.gateway(), '127.244.3.1')
  t.equal(a.allocate('p1'), '127.244.3.2')
  t.equal(a.allocate('p2'), '127.244.3.3')
  t.equal(a.allocate('p1'), '127.244.3.2', 'same owner, same IP')
  a.release('p1')
  t.equal(a.allocate('p3'), '127.244.3.2', 'freed address reused')
  t.equal(a.allocate('p4', '127.244.3.3'), '127.244.3.4', 'a preferred IP in use is not taken')
  t.equal(a.allocate('p5', '127.244.3.77'), '127.244.3.77', 'a free preferred IP is taken')
  t.equal(a.allocate('p6', '127.244.9.9'), '127.244.3.5', 'out of range: lowest free')
  const small = new IpAllocator('127.244.4.0/30')
  t.equal(small.allocate('x'), '127.244.4.2')
  t.throws(() => small.allocate('y'), IpExhaustedError)
  t.throws(() => new IpAllocator('127.244.4.0'), InvalidCidrError)
  t.throws(() => new IpAllocator('300.1.1.0/24'), InvalidCidrError)
})

t.test('CrashLoopBackOff delays', async (t) => {
  const b = new CrashBackoff({ initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 })
  const delays = [0, 1, 2, 3, 4, 5, 6].map((i) => b.next('k', i * 1000, i * 1000 + 5))
  t.same(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000])
  t.equal(b.next('k', 0, 600_000), 10_000, 'reset after running resetMs')
  t.equal(b.next('other', 0, 1), 10_000, 'per key')
})

t.test('probe thresholds', async (t) => {
  const r = new ProbeState('readiness', probeTiming({ successThreshold: 2, failureThreshold: 2 }, 'readiness'))
  t.equal(r.result, 'failure', 'readiness starts not ready')
  t.notOk(r.record('success'))
  t.ok(r.record('success'), 'ready after successThreshold')
  t.notOk(r.record('failure'))
  t.ok(r.record('failure'), 'not ready after failureThreshold')
  const l = new ProbeState('liveness', probeTiming({ successThreshold: 5 }, 'liveness'))
  t.equal(l.timing.successThreshold, 1, 'liveness successThreshold is always 1')
  t.same(probeTiming({}, 'liveness'), { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 })
  const s = new ProbeState('startup', probeTiming({ failureThreshold: 2 }, 'startup'))
  s.record('failure')
  t.notOk(s.exhausted())
  s.record('failure')
  t.ok(s.exhausted())
})

t.test('sim vocabulary', async (t) => {
  t.equal(parseDuration('1.5s'), 1500)
  t.equal(parseDuration('2m'), 120_000)
  t.equal(parseDuration('x'), undefined)
  const plain = behaviourFor('nginx:1.27', 'app', {})
  t.equal(exitPlan(plain), undefined, 'ordinary images run forever')
  t.equal(simProbe(plain, 'readiness', 0), 'success')
  const img = behaviourFor('registry.local/actorkube/sim:crash-every-10s_start-delay-2s', 'app', {})
  t.equal(img.startDelayMs, 2000)
  t.same(exitPlan(img), { code: 1, afterMs: 10_000 })
  const ann = behaviourFor('busybox', 'app', { 'sim.actorkube.io/behaviour': 'exit=3@30s,liveness-fail-after=20s', 'sim.actorkube.io/behaviour.app': 'readiness-flap=5s,log=hi there@1s,memory=64Mi' })
  t.same(ann.exit, { code: 3, afterMs: 30_000 })
  t.same(ann.log, { text: 'hi there', everyMs: 1000 })
  t.equal(ann.memoryBytes, 64 * 1024 * 1024)
  t.equal(simProbe(ann, 'liveness', 19_999), 'success')
  t.equal(simProbe(ann, 'liveness', 20_000), 'failure')
  t.same([0, 5000, 10_000].map((ms) => simProbe(ann, 'readiness', ms)), ['success', 'failure', 'success'])
  t.equal(behaviourFor('busybox', 'other', { 'sim.actorkube.io/behaviour.app': 'exit=3@1s' }).exit, undefined, 'per-container annotation')
  t.throws(() => behaviourFor('x', 'c', { 'sim.actorkube.io/behaviour': 'explode' }), SimVocabularyError)
  t.same(exitPlan(behaviourFor('actorkube/sim:exit-0-after-5s_crash-every-3s', 'c', {})), { code: 1, afterMs: 3000 }, 'the earliest exit wins')
})

t.test('runtime selection by runtimeClassName', async (t) => {
  const pod = (rc?: string): Pod => ({ metadata: {}, spec: { containers: [], ...(rc ? { runtimeClassName: rc } : {}) } })
  const both = new Set(['sim', 'process'] as const)
  t.same(runtimeFor(pod(), 'sim', both), { runtime: 'sim' })
  t.same(runtimeFor(pod(), 'process', both), { runtime: 'process' })
  t.same(runtimeFor(pod('process'), 'sim', both), { runtime: 'process' })
  t.same(runtimeFor(pod('process'), 'sim', new Set(['sim'] as const)), { runtime: 'sim', fallback: 'process' })
  t.same(runtimeFor(pod('gvisor'), 'sim', both), { runtime: 'sim', fallback: 'gvisor' })
})

t.test('log ring keeps the newest lines', async (t) => {
  const r = new LogRing(3)
  for (let i = 1; i <= 5; i++) r.push({ t: i, stream: 'stdout', line: `l${i}` })
  t.same(r.lines().map((l) => l.line), ['l3', 'l4', 'l5'])
  t.equal(r.dropped, 2)
})

t.test('node object and conditions', async (t) => {
  const cfg = { name: 'n1', capacity: { cpu: '4', memory: '8Gi', pods: '110' }, labels: { zone: 'a' }, taints: [{ key: 'gpu', effect: 'NoSchedule' as const }], podCIDR: '127.244.1.0/24', runtime: 'sim' as const }
  const n = nodeObject(cfg, '127.244.1.1', 0)
  t.equal(n.metadata.labels?.['kubernetes.io/hostname'], 'n1')
  t.equal(n.metadata.labels?.zone, 'a')
  t.same(n.spec.taints, [{ key: 'gpu', effect: 'NoSchedule' }])
  t.equal(n.status?.allocatable?.pods, '110')
  const c1 = nodeConditions(1000, undefined)
  const c2 = nodeConditions(5000, c1)
  const ready = c2.find((c) => c.type === 'Ready')!
  t.equal(ready.status, 'True')
  t.equal(ready.lastTransitionTime, new Date(1000).toISOString(), 'transition time kept')
  t.equal(ready.lastHeartbeatTime, new Date(5000).toISOString())
})
