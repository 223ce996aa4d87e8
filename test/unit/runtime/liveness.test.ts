import t from 'tap'
import { defaultSilentLimitMs, defaultStartTimeoutMs, judgeLiveness } from '../../../runtime/supervisor/liveness.ts'

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

t.test('a silent thread that was running all along is hung; one waiting for a core is not, up to a limit', async (t) => {
  const silent = (cpuWhileSilentMs: number) => ({ loading: false, loadingSince: 0, lastSeen: 10_000, cpuWhileSilentMs })
  t.same(judgeLiveness(silent(300), 10_501, limits), { hung: true, phase: 'run', silentMs: 501, cpuMs: 300 }, 'ran at least half the timeout: a busy loop')
  t.same(judgeLiveness(silent(40), 10_501, limits), { hung: false }, 'barely ran: starved on a saturated machine')
  t.same(judgeLiveness(silent(40), 14_999, limits), { hung: false })
  t.same(judgeLiveness(silent(40), 15_001, limits), { hung: true, phase: 'run', silentMs: 5_001, cpuMs: 40 }, 'silent past the limit: hung whatever it used')
  t.same(judgeLiveness(silent(0), 10_401, { ...limits, silentLimitMs: 400 }), { hung: false }, 'never before the hang timeout')
  t.equal(defaultSilentLimitMs(800), 8000)
  t.equal(defaultSilentLimitMs(100), 5000)
})
