// The hang detector on real threads: a thread busy loading modules is not declared hung for
// missing heartbeats, but one that never finishes loading is, after the start-up timeout.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import type { Message } from '../../../runtime/actor.ts'
import { Supervisor } from '../../../runtime/host/supervisor.ts'
import type { RuntimeEvent } from '../../../runtime/host/status.ts'
import { child, plan, registryPath, sup } from '../../fixtures/runtime/plan.ts'
import { memoryLogger, nextEvent } from '../../fixtures/runtime/wait.ts'

const registry = fileURLToPath(new URL('./slow-load-registry.ts', import.meta.url))

t.test('a thread loading an actor kind for longer than the hang timeout is not hung', async (t) => {
  const { logger } = memoryLogger()
  // heartbeat 100 ms, hang timeout 500 ms; the kind takes 1.5 s to load, blocking its thread.
  const s = new Supervisor(plan(sup('root', 'one_for_one', [child({ id: 'slow-0', kind: 'slowload', thread: 'v0' })])), { registry, logger, standbyThreads: 0 })
  const events: RuntimeEvent[] = []
  const hungFirst = new Promise<'hung'>((resolve) =>
    s.on('event', (e: RuntimeEvent) => {
      events.push(e)
      if (e.event === 'worker.hung') resolve('hung')
    }),
  )
  t.teardown(() => s.stop())
  t.equal(await Promise.race([s.start().then(() => 'started' as const), hungFirst]), 'started', 'started without being declared hung')
  t.same(events.filter((e) => e.event === 'worker.hung'), [], 'no worker.hung')
  t.equal(s.status()[0]!.state, 'running')
  t.equal(s.status()[0]!.restarts, 0)
  t.equal((await s.ask('slow-0', { type: 'ping' } as Message, 3000)).type, 'pong')
  // Loaded: from now on missed heartbeats count again (the hang fault is found as before).
  const hung = nextEvent(s, (e) => e.event === 'worker.hung' && e.thread === 'v0', 15_000)
  s.inject({ kind: 'hang', target: 'thread:v0', ms: 2000 })
  t.match(await hung, { phase: 'run' })
})

t.test('a thread that never finishes loading is hung after the start-up timeout', async (t) => {
  const { logger } = memoryLogger()
  const s = new Supervisor(
    plan(sup('root', 'one_for_one', [child({ id: 'never-0', kind: 'neverload', thread: 'w0', restart: 'temporary' })]), { startTimeoutMs: 3000 }),
    { registry, logger, standbyThreads: 0 },
  )
  t.teardown(() => s.stop())
  const hung = nextEvent(s, (e) => e.event === 'worker.hung' && e.thread === 'w0', 60_000)
  const started = s.start()
  const ev = await hung
  t.equal(ev.phase, 'start')
  await started
  t.equal(s.status()[0]!.state, 'stopped', 'the temporary actor is not restarted')
})

t.test('a thread silent past the hang timeout but not running (waiting for a core) is left alone', { skip: process.platform !== 'linux' && 'thread CPU time is read from /proc' }, async (t) => {
  const { logger } = memoryLogger()
  // heartbeat 100 ms, hang timeout 500 ms; the actor blocks its thread for 2 s without using CPU.
  const s = new Supervisor(plan(sup('root', 'one_for_one', [child({ id: 'blocked-0', thread: 'b0' })])), { registry: registryPath, logger, standbyThreads: 0 })
  const events: RuntimeEvent[] = []
  s.on('event', (e: RuntimeEvent) => events.push(e))
  t.teardown(() => s.stop())
  await s.start()
  t.equal((await s.ask('blocked-0', { type: 'block', ms: 2000 } as Message, 15_000)).type, 'unblocked', 'answered after the block')
  t.same(events.filter((e) => e.event === 'worker.hung'), [], 'no worker.hung')
  t.equal(s.status()[0]!.restarts, 0)
  // Running all along is still hung, within the hang timeout of CPU.
  const hung = nextEvent(s, (e) => e.event === 'worker.hung' && e.thread === 'b0', 15_000)
  s.inject({ kind: 'hang', target: 'thread:b0', ms: 3000 })
  t.match(await hung, { phase: 'run', cpuMs: Number })
})

t.test('a long batch of busy work is delivered in slices: the thread keeps answering heartbeats', async (t) => {
  const { logger } = memoryLogger()
  // hang timeout 500 ms; 100 messages of 10 ms of CPU each arrive on c0 as one batch (1 s).
  const s = new Supervisor(plan(sup('root', 'one_for_one', [child({ id: 'sender-0', thread: 's0' }), child({ id: 'busy-0', thread: 'c0' })])), { registry: registryPath, logger, standbyThreads: 0 })
  const events: RuntimeEvent[] = []
  s.on('event', (e: RuntimeEvent) => events.push(e))
  t.teardown(() => s.stop())
  await s.start()
  t.equal((await s.ask('sender-0', { type: 'send-spins', to: 'busy-0', n: 100, ms: 10 } as Message, 15_000)).type, 'sent')
  t.equal((await s.ask('busy-0', { type: 'ping' } as Message, 30_000)).type, 'pong', 'answered after the batch')
  t.same(events.filter((e) => e.event === 'worker.hung'), [], 'no worker.hung')
  t.equal(s.status().find((a) => a.id === 'busy-0')!.restarts, 0)
})
