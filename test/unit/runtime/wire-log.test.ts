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
