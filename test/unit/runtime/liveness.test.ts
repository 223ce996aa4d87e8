import t from 'tap'
import { defaultStartTimeoutMs, judgeLiveness } from '../../../runtime/supervisor/liveness.ts'

const limits = { hangTimeoutMs: 500, startTimeoutMs: 10_000 }

t.test('a thread still loading its modules is not hung for missing heartbeats', async (t) => {
  // Started at 0, has said nothing since (tsx compiling its module graph under load).
  const starting = { loading: true, loadingSince: 0, lastSeen: 0 }
  t.same(judgeLiveness(starting, 600, limits), { hung: false }, 'past the hang timeout, but loading')
  t.same(judgeLiveness(starting, 9_999, limits), { hung: false })
  t.same(judgeLiveness(starting, 10_001, limits), { hung: true, phase: 'start', silentMs: 10_001 }, 'the start-up timeout is enforced')
})

t.test('after it has loaded, missed heartbeats count from its last message', async (t) => {
  const running = { loading: false, loadingSince: 0, lastSeen: 20_000 }
  t.same(judgeLiveness(running, 20_500, limits), { hung: false })
  t.same(judgeLiveness(running, 20_501, limits), { hung: true, phase: 'run', silentMs: 501 })
})

t.test('loading an actor kind later gets the start-up allowance again, from when it began', async (t) => {
  const reloading = { loading: true, loadingSince: 30_000, lastSeen: 30_000 }
  t.same(judgeLiveness(reloading, 35_000, limits), { hung: false })
  t.same(judgeLiveness(reloading, 40_001, limits), { hung: true, phase: 'start', silentMs: 10_001 })
})

t.test('default start-up timeout is generous and scales with the hang timeout', async (t) => {
  t.equal(defaultStartTimeoutMs(500), 60_000)
  t.equal(defaultStartTimeoutMs(10_000), 200_000)
  t.ok(defaultStartTimeoutMs(800) > 800)
})
