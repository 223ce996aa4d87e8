// Direct links between worker threads on real threads: batches stop going through the main
// thread once two threads talk, order is kept across the switch, the ACL and link faults still
// apply to direct traffic, and a restarted thread is rewired without losing what was sent to
// its actors while it restarted.
import t from 'tap'
import type { Message } from '../../../runtime/actor.ts'
import { Supervisor } from '../../../runtime/host/supervisor.ts'
import type { RuntimeEvent } from '../../../runtime/host/status.ts'
import { child, plan, registryPath, sup } from '../../fixtures/runtime/plan.ts'
import { memoryLogger, nextEvent, waitFor } from '../../fixtures/runtime/wait.ts'

const { logger } = memoryLogger()
const s = new Supervisor(
  plan(
    sup('root', 'one_for_one', [
      child({ id: 'a-0', thread: 't0' }),
      child({ id: 'f-0', kind: 'blaster', thread: 't0' }),
      child({ id: 'b-0', thread: 't1' }),
      child({ id: 'c-0', kind: 'sink', thread: 't1' }),
      // Named like an etcd replica: the ACL lets the supervisor address it, and no test actor.
      child({ id: 'etcd-x-0', kind: 'sink', thread: 't1' }),
    ], 100, 60_000),
  ),
  { registry: registryPath, logger },
)
const events: RuntimeEvent[] = []
s.on('event', (e: RuntimeEvent) => events.push(e))
t.teardown(() => s.stop())

const ask = <R = Record<string, unknown>>(to: string, msg: Record<string, unknown>, ms = 5000) => s.ask(to, msg as unknown as Message, ms) as Promise<R & Message>
const count = (id = 'c-0') => ask<{ n: number; seq: number[] }>(id, { type: 'count' })
const reset = () => ask('c-0', { type: 'reset' })
const blast = (n: number) => ask('f-0', { type: 'blast', to: 'c-0', n, size: 100 })
const relay = (from: string, to: string, msg: Record<string, unknown>, timeoutMs = 300) => ask(from, { type: 'relay', to, msg, timeoutMs })
const linked = (a: string, b: string) => s.links().some((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a))
const linkId = (a: string, b: string) => s.links().find((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a))?.id
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
/** Poll c-0 until it has counted `n` (or 5 s passed); its count and sequence. */
async function counted(n: number): Promise<{ n: number; seq: number[] }> {
  const end = Date.now() + 5000
  let c = await count()
  while (c.n < n && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20))
    c = await count()
  }
  return c
}

t.before(async () => {
  await s.start()
})

t.test('two threads that talk get a direct link; order is kept across the switch', async (t) => {
  t.notOk(linked('t0', 't1'), 'no link before any traffic')
  await reset()
  // The first batches go through the main thread, later ones over the link once it is wired.
  await blast(3000)
  await waitFor(() => linked('t0', 't1'), 15_000, 'link t0-t1')
  const first = await counted(3000)
  t.equal(first.n, 3000)
  t.same(first.seq, range(3000), 'in order, across the switch from relay to link')
  t.ok(s.relayedBatches > 0, 'the first batches were relayed')

  await reset()
  const relayed = s.relayedBatches
  await blast(2000)
  t.same((await counted(2000)).seq, range(2000), 'all delivered, in order')
  t.equal(s.relayedBatches, relayed, 'nothing went through the main thread')
})

t.test('the ACL refuses a message over a direct link, counted and logged with both addresses', async (t) => {
  await relay('a-0', 'b-0', { type: 'ping' })
  t.ok(linked('t0', 't1'))
  const denied = s.aclDenied
  t.same(await relay('a-0', 'etcd-x-0', { type: 'ping' }), { type: 'relay.failed', code: 'ACL_DENIED' })
  t.same(await ask('a-0', { type: 'tell', to: 'etcd-x-0', msg: { type: 'data', i: 1 } }), { type: 'told' })
  await waitFor(() => s.aclDenied === denied + 2, 15_000, 'both refusals counted')
  const ev = events.filter((e) => e.event === 'acl.denied' && e.to === 'etcd-x-0')
  t.same(ev.map((e) => [e.from, e.to, e.type]), [['a-0', 'etcd-x-0', 'ping'], ['a-0', 'etcd-x-0', 'data']])
  await new Promise((r) => setTimeout(r, 100))
  t.equal((await count('etcd-x-0')).n, 0, 'nothing reached the refused actor')
})

t.test('link faults apply to direct traffic', async (t) => {
  t.ok(linked('t0', 't1'))
  const relayed = s.relayedBatches
  await reset()
  const drop = s.inject({ kind: 'drop', from: ['f-0'], to: ['c-0'], probability: 1 })
  await blast(200)
  await new Promise((r) => setTimeout(r, 100))
  t.equal((await count()).n, 0, 'dropped')
  s.heal(drop.id)
  const dup = s.inject({ kind: 'duplicate', from: ['f-0'], to: ['c-0'], probability: 1 })
  await blast(50)
  t.equal((await counted(100)).n, 100, 'duplicated')
  s.heal(dup.id)
  const p = s.inject({ kind: 'partition', a: ['a-0'], b: ['b-0'] })
  t.same(await relay('a-0', 'b-0', { type: 'ping' }), { type: 'relay.failed', code: 'ASK_TIMEOUT' })
  s.heal(p.id)
  t.equal((await relay('a-0', 'b-0', { type: 'ping' })).type, 'relayed')
  t.equal(s.relayedBatches, relayed, 'all of it over the link')
})

t.test('a restarted thread is rewired; what is sent to its actors while it restarts arrives', async (t) => {
  await waitFor(() => s.standbyReady() > 0, 30_000, 'a standby thread')
  const before = linkId('t0', 't1')
  t.ok(before)
  s.inject({ kind: 'kill', target: 'thread:t1' })
  await nextEvent(s, (e) => e.event === 'worker.exited' && e.thread === 't1', 15_000)
  // t1 is being replaced: c-0 is not running yet. Send to it now, from t0.
  await blast(500)
  await waitFor(() => s.status().find((a) => a.id === 'c-0')?.state === 'running', 10_000, 'c-0 back')
  const held = await counted(500)
  t.equal(held.n, 500, 'sent during the restart, delivered to the restarted actor')
  t.same(held.seq, range(500), 'in order')

  await waitFor(() => linkId('t0', 't1') !== undefined && linkId('t0', 't1') !== before, 15_000, 'rewired')
  await reset()
  const relayed = s.relayedBatches
  await blast(1000)
  t.same((await counted(1000)).seq, range(1000), 'delivered over the new link')
  t.equal(s.relayedBatches, relayed, 'over the link, not the main thread')
  t.equal((await relay('a-0', 'b-0', { type: 'ping' })).type, 'relayed')
})

t.test('with direct links off, batches between threads go through the main thread', async (t) => {
  const { logger } = memoryLogger()
  const s2 = new Supervisor(
    plan(sup('root', 'one_for_one', [child({ id: 'f-1', kind: 'blaster', thread: 'u0' }), child({ id: 'c-1', kind: 'sink', thread: 'u1' })])),
    { registry: registryPath, logger, directLinks: false, standbyThreads: 0 },
  )
  t.teardown(() => s2.stop())
  await s2.start()
  await s2.ask('f-1', { type: 'blast', to: 'c-1', n: 1000, size: 10 } as unknown as Message, 5000)
  const end = Date.now() + 5000
  const n = async () => ((await s2.ask('c-1', { type: 'count' } as unknown as Message, 5000)) as unknown as { n: number; seq: number[] })
  while ((await n()).n < 1000 && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
  t.same((await n()).seq, range(1000))
  t.same(s2.links(), [])
  t.ok(s2.relayedBatches >= 1)
})
