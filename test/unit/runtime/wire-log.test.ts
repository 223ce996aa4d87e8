// Worker log records: flattened for the wire, revived on the main thread, and filtered where
// they are made by the main logger's level (events always pass).
import t from 'tap'
import type { WireLog } from '../../../runtime/host/protocol.ts'
import { revive, wireLevel, wireLogger } from '../../../runtime/host/wire-log.ts'

t.test('records below the level are dropped unless they carry an event', async (t) => {
  const got: WireLog[] = []
  const log = wireLogger((r) => got.push(r), { actor: 'a-0' }, () => 5, 'warn')
  log.debug({ x: 1 }, 'debug')
  log.info({ x: 2 }, 'info')
  log.info({ event: 'lease.acquired' }, 'an event')
  log.warn({ x: 3 }, 'warn')
  log.child({ thread: 't0' }).error({ err: new Error('boom') }, 'error')
  t.same(got.map((r) => r.msg), ['an event', 'warn', 'error'])
  t.same(got[2]!.bindings, { actor: 'a-0', thread: 't0' }, 'children keep the level and add bindings')
  const back = revive(got[2]!.obj)
  t.ok(back.err instanceof Error && (back.err as Error).message === 'boom', 'errors cross the wire and come back')
})

t.test('pino levels map to wire levels', async (t) => {
  t.same(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map(wireLevel), ['debug', 'debug', 'info', 'warn', 'error', 'error', 'silent'])
  const got: WireLog[] = []
  const log = wireLogger((r) => got.push(r), {}, () => 0, 'silent')
  log.error({}, 'dropped')
  log.debug({ event: 'raft.leader.elected' }, 'kept')
  t.same(got.map((r) => r.msg), ['kept'])
})

t.test('the log damper lets a few records alike through per window and sums up the rest', async (t) => {
  const { LogDamper } = await import('../../../runtime/host/wire-log.ts')
  const d = new LogDamper(3, 1000)
  const rec = (msg: string, code?: string, extra: Record<string, unknown> = {}) => ({ level: 'warn' as const, time: 0, bindings: { actor: 'kubelet@n1' }, obj: { ...(code ? { err: { code } } : {}), ...extra }, msg })
  const admitted = (r: ReturnType<typeof rec>, n: number, now = 0) => Array.from({ length: n }, () => d.admit(r, now)).filter(Boolean).length
  t.equal(admitted(rec('informer list failed', 'API_UNAVAILABLE'), 10), 3, 'three of ten alike go out')
  t.equal(admitted(rec('informer list failed', 'API_TOO_MANY_REQUESTS'), 5), 3, 'another error code is another kind')
  t.equal(admitted(rec('node registration failed'), 2), 2)
  t.equal(admitted(rec('lease lost', undefined, { event: 'lease.lost' }), 20), 20, 'records with an event always go out')
  const sums = d.take(1000)
  t.same(sums.map((s) => [s.msg, (s.obj.err as { code: string }).code, s.obj.repeated]), [
    ['informer list failed', 'API_UNAVAILABLE', 7],
    ['informer list failed', 'API_TOO_MANY_REQUESTS', 2],
  ], 'one summary per kind with the count held back')
  t.equal(admitted(rec('informer list failed', 'API_UNAVAILABLE'), 4, 1000), 3, 'a new window lets a few through again')
  t.same(d.take(2000).map((s) => s.obj.repeated), [1])
  t.same(d.take(3000), [], 'nothing held, nothing to sum up')
  t.equal(admitted(rec('informer list failed', 'API_UNAVAILABLE'), 3, 5000), 3, 'a quiet window starts afresh')
})
