import t from 'tap'
import { LocalSystem } from '../../../runtime/local.ts'
import type { Message } from '../../../runtime/actor.ts'

t.test('local system: ask/reply in real time, messages copied, crash recorded', async (t) => {
  const sys = new LocalSystem()
  t.teardown(() => sys.shutdown())
  const shared = { n: 1 }
  let seen: unknown
  sys.spawn('echo-0', (ctx) => ({
    receive(msg, meta) {
      if (msg.type === 'boom') throw new Error('boom')
      seen = (msg as unknown as { obj: unknown }).obj
      ctx.reply(meta, { type: 'echo.reply' })
    },
  }))
  const c = sys.client('tester-0')
  const r = await c.ask('echo-0', { type: 'echo', obj: shared } as Message, { timeoutMs: 1000 })
  t.equal(r.type, 'echo.reply')
  t.same(seen, shared)
  t.not(seen, shared, 'the receiver got a copy, not the sender object')
  c.send('echo-0', { type: 'boom' })
  t.ok(await sys.waitFor(() => sys.crashes.length === 1, 1000))
  t.notOk(sys.has('echo-0'))
  sys.restart('echo-0')
  t.ok(sys.has('echo-0'))
})
