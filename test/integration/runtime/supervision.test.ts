// Supervision on real worker threads: each strategy, restart types, escalation, thread exit.
import t from 'tap'
import { Supervisor } from '../../../runtime/host/supervisor.ts'
import type { RuntimeEvent } from '../../../runtime/host/status.ts'
import { child, plan, registryPath, sup } from '../../fixtures/runtime/plan.ts'
import { memoryLogger, nextEvent, waitFor } from '../../fixtures/runtime/wait.ts'

const { logger } = memoryLogger()
const s = new Supervisor(
  plan(
    sup('root', 'one_for_one', [
      sup('ofa', 'one_for_all', [child({ id: 'x-0', thread: 't0' }), child({ id: 'x-1', thread: 't1' })]),
      sup('rfo', 'rest_for_one', [child({ id: 'r-0', thread: 't2' }), child({ id: 'r-1', thread: 't2' }), child({ id: 'r-2', thread: 't2' })]),
      sup('esc', 'one_for_one', [child({ id: 'e-0', thread: 't2' })], 1, 60_000),
      child({ id: 'tr-0', thread: 't0', restart: 'transient' }),
      child({ id: 'tmp-0', thread: 't0', restart: 'temporary' }),
    ], 100, 60_000),
  ),
  { registry: registryPath, logger },
)
const events: RuntimeEvent[] = []
s.on('event', (e: RuntimeEvent) => events.push(e))
t.teardown(() => s.stop())

const state = (id: string) => s.status().find((a) => a.id === id)!
const startedAt = () => Object.fromEntries(s.status().map((a) => [a.id, a.startedAt]))
const running = (ids: string[]) => () => ids.every((id) => state(id).state === 'running')
const ping = async (id: string) => (await s.ask(id, { type: 'ping', n: 1 } as never, 3000)).type

t.before(async () => {
  await s.start()
})

t.test('all actors start and answer', async (t) => {
  t.ok(s.status().every((a) => a.state === 'running'))
  for (const id of ['x-0', 'x-1', 'r-0', 'e-0']) t.equal(await ping(id), 'pong')
  t.same(events.filter((e) => e.event === 'actor.started').map((e) => e.actor).sort(), s.status().map((a) => a.id).sort())
  for (const a of s.status()) t.same(s.actorStatus(a.id), a, `actorStatus(${a.id}) is its entry of status()`)
  t.equal(s.actorStatus('nobody'), undefined)
})

t.test('one_for_all: a crash restarts every sibling', async (t) => {
  const before = startedAt()
  s.inject({ kind: 'crash', target: 'x-0' })
  await waitFor(() => state('x-0').restarts === 1 && state('x-1').restarts === 1 && running(['x-0', 'x-1'])(), 15_000, 'x-0 and x-1 restarted')
  t.not(state('x-1').startedAt, before['x-1'], 'x-1 was restarted too')
  t.equal(state('r-0').startedAt, before['r-0'], 'other subtrees untouched')
  t.ok(events.some((e) => e.event === 'actor.terminated' && e.actor === 'x-1'))
  t.equal(await ping('x-1'), 'pong')
})

t.test('rest_for_one: the crashed child and those started after it restart', async (t) => {
  const before = startedAt()
  await s.ask('r-1', { type: 'boom' } as never, 300).catch(() => undefined)
  await waitFor(() => state('r-1').restarts === 1 && state('r-2').restarts === 1 && running(['r-1', 'r-2'])(), 15_000, 'r-1, r-2 restarted')
  t.equal(state('r-0').startedAt, before['r-0'], 'r-0 (started before) untouched')
  t.equal(state('r-0').restarts, 0)
  t.match(state('r-1').lastCrash?.reason, /boom requested/)
})

t.test('restart types: transient restarts after a crash, temporary is not restarted', async (t) => {
  s.inject({ kind: 'crash', target: 'tr-0' })
  await waitFor(() => state('tr-0').restarts === 1 && state('tr-0').state === 'running', 15_000, 'tr-0 restarted')
  s.inject({ kind: 'crash', target: 'tmp-0' })
  await waitFor(() => state('tmp-0').state === 'stopped', 15_000, 'tmp-0 stopped')
  await new Promise((r) => setTimeout(r, 100))
  t.equal(state('tmp-0').state, 'stopped')
  t.equal(state('tmp-0').restarts, 0)
})

t.test('escalation: exceeding intensity restarts the subtree through the parent', async (t) => {
  const escalated = nextEvent(s, (e) => e.event === 'supervisor.escalated' && e.supervisor === 'esc', 15_000)
  s.inject({ kind: 'crash', target: 'e-0' })
  await waitFor(() => state('e-0').restarts === 1 && state('e-0').state === 'running', 15_000, 'first restart')
  s.inject({ kind: 'crash', target: 'e-0' })
  const e = await escalated
  t.equal(e.to, 'root')
  await waitFor(() => state('e-0').state === 'running' && state('e-0').restarts === 2, 15_000, 'e-0 back through root')
  t.equal(await ping('e-0'), 'pong')
})

t.test('thread exit: its actors restart on a fresh thread, one_for_all takes the sibling along', async (t) => {
  const before = startedAt()
  const r0 = state('x-0').restarts
  s.inject({ kind: 'kill', target: 'thread:t1' })
  const ev = await nextEvent(s, (e) => e.event === 'worker.exited' && e.thread === 't1', 15_000)
  t.match(ev.reason, /exit/)
  await waitFor(() => running(['x-0', 'x-1'])() && state('x-0').restarts === r0 + 1, 15_000, 'x-0, x-1 restarted')
  t.not(state('x-0').startedAt, before['x-0'])
  t.equal(await ping('x-1'), 'pong')
  t.equal(s.threads().find((th) => th.name === 't1')!.restarts, 1)
})

t.test('the root gives up when its own budget is exhausted', async (t) => {
  const { logger } = memoryLogger()
  const s2 = new Supervisor(plan(sup('root2', 'one_for_one', [child({ id: 'bad-0', kind: 'failing', thread: 'u0' })], 2, 60_000)), { registry: registryPath, logger, standbyThreads: 0 })
  const ev: RuntimeEvent[] = []
  s2.on('event', (e: RuntimeEvent) => ev.push(e))
  t.teardown(() => s2.stop())
  await s2.start()
  t.equal(s2.status()[0]!.state, 'failed')
  t.ok(ev.some((e) => e.event === 'supervisor.escalated' && e.supervisor === 'root2' && e.to === null))
  t.equal(ev.filter((e) => e.event === 'actor.crashed').length, 3, 'two restarts, then the third crash escalates')
})

t.test('threads can load the TypeScript sources through tsx instead of the bundle', async (t) => {
  const { logger } = memoryLogger()
  const s3 = new Supervisor(plan(sup('root3', 'one_for_one', [child({ id: 'ts-0', thread: 'v0' })])), { registry: registryPath, logger, standbyThreads: 0, bundle: false })
  t.teardown(() => s3.stop())
  await s3.start()
  t.equal(s3.status()[0]!.state, 'running')
  t.equal((await s3.ask('ts-0', { type: 'ping', n: 1 } as never, 3000)).type, 'pong')
})
