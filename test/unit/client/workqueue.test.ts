import t from 'tap'
import { Simulation } from '../../../runtime/sim/simulator.ts'
import { WorkQueue } from '../../../actors/client/workqueue.ts'
import type { Ctx } from '../../../runtime/actor.ts'
import { ExponentialBackoff, TokenBucket } from '../../../actors/client/rate-limiter.ts'

t.test('exponential backoff doubles to a cap and forgets', async (t) => {
  const b = new ExponentialBackoff(5, 40)
  t.same([b.when('k'), b.when('k'), b.when('k'), b.when('k'), b.when('k')], [5, 10, 20, 40, 40])
  t.equal(b.when('other'), 5)
  b.forget('k')
  t.equal(b.when('k'), 5)
})

t.test('token bucket allows a burst, then paces at qps', async (t) => {
  const tb = new TokenBucket(10, 2)
  t.equal(tb.reserve(0), 0)
  t.equal(tb.reserve(0), 0)
  t.equal(tb.reserve(0), 100)
  t.equal(tb.reserve(1000), 0)
})

t.test('de-duplicates keys, never runs a key twice at once, retries failures with backoff', async (t) => {
  const sim = new Simulation({ seed: 1 })
  const ctx = sim.client('client-wq')
  const q = new WorkQueue(ctx, { name: 'test', baseDelayMs: 5, maxDelayMs: 100 })
  const running = new Set<string>()
  let overlap = 0
  const done: string[] = []
  const failsLeft = new Map([['flaky', 3]])
  const attempts: number[] = []
  q.add('a')
  q.add('a')
  q.add('b')
  t.equal(q.len(), 2, 'duplicate add is coalesced')
  q.run(3, async (key) => {
    if (running.has(key)) overlap++
    running.add(key)
    if (key === 'flaky') attempts.push(ctx.now())
    await ctx.sleep(20)
    running.delete(key)
    const f = failsLeft.get(key) ?? 0
    if (f > 0) {
      failsLeft.set(key, f - 1)
      throw new Error('try again')
    }
    done.push(key)
  })
  await sim.run(5)
  q.add('a') // while 'a' is being processed: processed again afterwards, not concurrently
  q.add('flaky')
  await sim.run(500)
  t.equal(overlap, 0)
  t.same(done.filter((k) => k === 'a').length, 2)
  t.ok(done.includes('b'))
  t.ok(done.includes('flaky'))
  t.equal(attempts.length, 4)
  const gaps = attempts.slice(1).map((x, i) => x - (attempts[i] as number) - 20)
  t.same(gaps, [5, 10, 20], 'backoff 5, 10, 20 ms between attempts')
  t.equal(q.numRequeues('flaky'), 0, 'forgotten after success')
  q.shutDown()
  q.add('c')
  await sim.run(100)
  t.notOk(done.includes('c'))
})

t.test('addAfter delays a key', async (t) => {
  const sim = new Simulation({ seed: 2 })
  const ctx = sim.client('client-wq')
  const q = new WorkQueue(ctx, { name: 'later' })
  const at: number[] = []
  q.run(1, async () => {
    at.push(ctx.now() - sim.now() + 0)
  })
  const start = sim.now()
  q.addAfter('x', 250)
  await sim.run(249)
  t.equal(at.length, 0)
  await sim.run(2)
  t.equal(at.length, 1)
  t.ok(sim.now() - start >= 250)
  q.shutDown()
})

t.test('a long backlog lets the event loop turn every SLICE_MS of reconciles', async (t) => {
  // A clock that moves 5 ms per reconcile, as real work would, and a sleep that is a real turn
  // of the event loop (setImmediate): counted.
  let now = 0
  let turns = 0
  const log = { child: () => log, warn: () => {}, info: () => {}, debug: () => {}, error: () => {} }
  const ctx = {
    now: () => now,
    sleep: () => {
      turns++
      return new Promise<void>((r) => setImmediate(r))
    },
    log,
  } as unknown as Ctx
  const q = new WorkQueue(ctx, { name: 'slices', baseDelayMs: 5, maxDelayMs: 100 })
  const order: string[] = []
  for (let i = 0; i < 100; i++) q.add(`k${i}`)
  await new Promise<void>((resolve) => {
    q.run(1, async (key) => {
      order.push(key)
      now += 5
      if (order.length === 100) resolve()
    })
  })
  t.same(order, Array.from({ length: 100 }, (_, i) => `k${i}`), 'in order, each once')
  t.ok(turns >= 20 && turns <= 30, `500 ms of work, a turn every 20 ms: ${turns} turns`)
  q.shutDown()
})
