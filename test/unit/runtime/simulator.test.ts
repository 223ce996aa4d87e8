import t from 'tap'
import { Simulation } from '../../../runtime/sim/simulator.ts'
import type { Message } from '../../../runtime/actor.ts'

interface Ping extends Message { type: 'ping'; n: number }

function pingPong(seed: number) {
  const sim = new Simulation({ seed, latencyMs: [1, 20] })
  sim.spawn('pong-0', (ctx) => ({
    receive(msg, meta) {
      if (msg.type === 'ping') ctx.reply(meta, { type: 'pong', n: (msg as Ping).n } as Message)
    },
  }))
  const got: number[] = []
  sim.spawn('ping-0', (ctx) => ({
    async start() {
      for (let i = 0; i < 5; i++) {
        const r = await ctx.ask<{ type: 'pong'; n: number }>('pong-0', { type: 'ping', n: i } as Message, { timeoutMs: 100 })
        got.push(r.n)
        await ctx.sleep(ctx.random() * 10)
      }
    },
    receive() {},
  }))
  return { sim, got }
}

t.test('ask/reply in virtual time, same seed same trace', async (t) => {
  const a = pingPong(7)
  await a.sim.run(1000)
  t.same(a.got, [0, 1, 2, 3, 4])
  const b = pingPong(7)
  await b.sim.run(1000)
  t.same(b.sim.trace, a.sim.trace)
  const c = pingPong(8)
  await c.sim.run(1000)
  t.not(c.sim.trace.join('\n'), a.sim.trace.join('\n'))
})

t.test('ask times out when the target is gone, crash is recorded', async (t) => {
  const sim = new Simulation({ seed: 1 })
  let err: unknown
  sim.spawn('a-0', (ctx) => ({
    async start() {
      try {
        await ctx.ask('nobody-0', { type: 'x' }, { timeoutMs: 50 })
      } catch (e) {
        err = e
      }
      throw new Error('boom')
    },
    receive() {},
  }))
  await sim.run(100)
  t.equal((err as { code?: string }).code, 'ASK_TIMEOUT')
  t.equal(sim.crashes.length, 1)
  t.match(sim.crashes[0]!.error, /boom/)
})

t.test('ACL refuses a component addressing etcd', async (t) => {
  const sim = new Simulation({ seed: 1 })
  const got: string[] = []
  sim.spawn('etcd-main-0', () => ({ receive: (m) => { got.push(m.type) } }))
  const sched = sim.client('scheduler-0')
  const api = sim.client('apiserver-0')
  sched.send('etcd-main-0', { type: 'kv.put' })
  api.send('etcd-main-0', { type: 'kv.range' })
  await t.rejects(sched.ask('etcd-main-0', { type: 'kv.range' }, { timeoutMs: 10 }), { code: 'ACL_DENIED' })
  await sim.run(50)
  t.same(got, ['kv.range'])
  t.equal(sim.aclDenied, 2)
})
