import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Behaviour, Ctx } from '../../../runtime/actor.ts'
import type { Lease } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import { LeaderElector } from '../../../actors/client/leader-election.ts'
import { FakeCluster, fakeApiServer } from '../../helpers/fake-apiserver.ts'

const timings = { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 }

function setup(seed: number, n: number) {
  const sim = new Simulation({ seed, traceDeliveries: false })
  const cluster = new FakeCluster()
  const api = fakeApiServer({ cluster })
  sim.spawn('apiserver-0', (ctx) => api(ctx, {}))
  sim.spawn('apiserver-1', (ctx) => api(ctx, {}))
  const electors = new Map<string, LeaderElector>()
  const started: Array<{ id: string; at: number }> = []
  const ids = Array.from({ length: n }, (_, i) => `scheduler-${i}`)
  for (const id of ids) {
    sim.spawn(id, (ctx: Ctx): Behaviour => {
      const client = createApiClient(ctx, { apiservers: ['apiserver-0', 'apiserver-1'], requestTimeoutMs: 300 })
      const el = new LeaderElector(ctx, client, {
        namespace: 'kube-system', name: 'kube-scheduler', identity: id, timings, component: 'scheduler',
        onStartedLeading: () => started.push({ id, at: sim.now() }),
        onStoppedLeading: () => {},
      })
      electors.set(id, el)
      return { start: () => el.start(), receive: (m, meta) => void client.handle(m, meta), stop: () => el.stop() }
    })
  }
  const leaders = () => ids.filter((id) => sim.has(id) && electors.get(id)!.isLeader())
  let violations = 0
  let maxGapMs = 0
  let lastLeaderAt = sim.now()
  /** Run, checking after every event that at most one candidate acts as leader. */
  const run = async (ms: number) => {
    await sim.runUntil(() => {
      const l = leaders()
      if (l.length > 1) violations++
      if (l.length === 1) {
        maxGapMs = Math.max(maxGapMs, sim.now() - lastLeaderAt)
        lastLeaderAt = sim.now()
      }
      return false
    }, ms)
  }
  return { sim, cluster, leaders, run, started, violations: () => violations, gap: () => maxGapMs, resetGap: () => { maxGapMs = 0; lastLeaderAt = sim.now() } }
}

t.test('two candidates: one leads; a crash hands over within leaseDuration + retryPeriod', async (t) => {
  const seed = testSeed(21)
  t.comment(`seed ${seed}`)
  const s = setup(seed, 2)
  await s.run(1000)
  const [first] = s.leaders()
  t.ok(first, 'a leader was elected')
  t.equal(s.sim.reports.get(first!)?.info?.leader, true)
  s.resetGap()
  s.sim.crash(first!)
  const crashAt = s.sim.now()
  await s.sim.runUntil(() => s.leaders().length === 1, 5000)
  const gap = s.sim.now() - crashAt
  t.ok(gap <= timings.leaseDurationMs + timings.retryPeriodMs * 1.2 + 100, `takeover after ${gap} ms`)
  t.not(s.leaders()[0], first)
  const lease = s.cluster.all<Lease>(R.leases)[0]!
  t.equal(lease.spec.holderIdentity, s.leaders()[0])
  t.equal(lease.spec.leaseTransitions, 1)
  t.ok(s.sim.trace.some((l) => l.includes('lease.acquired')))
  t.equal(s.violations(), 0)
})

t.test('graceful stop releases the lease: standby takes over within one retry period', async (t) => {
  const seed = testSeed(22)
  t.comment(`seed ${seed}`)
  const s = setup(seed, 2)
  await s.run(1000)
  const [first] = s.leaders()
  const stopping = s.sim.stop(first!)
  const at = s.sim.now()
  await s.sim.runUntil(() => s.leaders().length === 1 && s.leaders()[0] !== first, 2000)
  await stopping
  const gap = s.sim.now() - at
  t.ok(gap < timings.retryPeriodMs, `takeover after ${gap} ms (under one retry period: the standby watches the lease)`)
  t.equal(s.violations(), 0)
})

t.test('three candidates under crashes, pauses and partitions: never two leaders at once', async (t) => {
  const seed = testSeed(23)
  t.comment(`seed ${seed}`)
  const s = setup(seed, 3)
  const ids = ['scheduler-0', 'scheduler-1', 'scheduler-2']
  await s.run(1500)
  for (let round = 0; round < 12; round++) {
    const [leader] = s.leaders()
    const fault = round % 4
    if (leader) {
      if (fault === 0) {
        s.sim.crash(leader)
        await s.run(1500)
        s.sim.restart(leader)
      } else if (fault === 1) {
        s.sim.pause(leader)
        await s.run(1500 + Math.floor(s.sim.rng() * 1000))
        s.sim.resume(leader)
      } else if (fault === 2) {
        const heal = s.sim.partition([leader], ['apiserver-0', 'apiserver-1'])
        await s.run(2000)
        heal()
      } else {
        s.sim.crash('apiserver-0')
        await s.run(1500)
        s.sim.restart('apiserver-0')
      }
    }
    await s.run(1500)
    t.equal(s.leaders().length, 1, `round ${round}: one leader`)
  }
  t.equal(s.violations(), 0, 'no two leaders at any instant')
  const lease = s.cluster.all<Lease>(R.leases)[0]!
  t.ok(ids.includes(lease.spec.holderIdentity ?? ''))
  t.ok((lease.spec.leaseTransitions ?? 0) >= 3)
})

t.test('a steady leader renews with one update per retry period, no get', async (t) => {
  const seed = testSeed(26)
  t.comment(`seed ${seed}`)
  const s = setup(seed, 1)
  await s.run(1000)
  t.same(s.leaders(), ['scheduler-0'])
  const before = { get: s.cluster.requests.get('api.get') ?? 0, update: s.cluster.requests.get('api.update') ?? 0 }
  await s.run(2000)
  const gets = (s.cluster.requests.get('api.get') ?? 0) - before.get
  const updates = (s.cluster.requests.get('api.update') ?? 0) - before.update
  t.ok(updates >= 8 && updates <= 11, `${updates} renewals in 2 s at a 200 ms retry period`)
  t.equal(gets, 0, 'no get before each renewal')
  // Someone else moves the record: the next renewal conflicts, reads it again, and renews.
  const lease = s.cluster.all<Lease>(R.leases)[0]!
  s.cluster.put(R.leases, { ...lease, metadata: { ...lease.metadata, annotations: { touched: 'yes' } } })
  await s.run(1000)
  t.same(s.leaders(), ['scheduler-0'], 'still the leader after the conflict')
  t.ok((s.cluster.requests.get('api.get') ?? 0) > before.get, 'the conflict sent it through a get')
})
