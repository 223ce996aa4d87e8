import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Ctx, Message } from '../../../runtime/actor.ts'
import { randInt } from '../../../runtime/random.ts'

interface Data extends Message { type: 'data'; i: number }

/** A sender that sends n numbered messages to `to`, one per ms, and a receiver that records them. */
function pair(sim: Simulation, n: number): { got: number[] } {
  const got: number[] = []
  sim.spawn('rx-0', () => ({ receive: (m) => void (m.type === 'data' && got.push((m as Data).i)) }))
  sim.spawn('tx-0', (ctx: Ctx) => {
    let i = 0
    const tick = () => {
      if (i < n) ctx.send('rx-0', { type: 'data', i: i++ } as Message)
      if (i < n) ctx.after(1, { type: 'tick' })
    }
    return { start: tick, receive: tick }
  })
  return { got }
}

/** A random workload with faults drawn from the seed: the trace must replay byte for byte. */
async function chaos(seed: number): Promise<string> {
  const sim = new Simulation({ seed, latencyMs: [1, 10] })
  for (let k = 0; k < 4; k++) {
    sim.spawn(`peer-${k}`, (ctx) => ({
      start() {
        ctx.after(randInt(() => ctx.random(), 1, 20), { type: 'tick' })
      },
      receive(m, meta) {
        if (m.type === 'tick') {
          const to = `peer-${Math.floor(ctx.random() * 4)}`
          void ctx.ask(to, { type: 'q', at: ctx.now() } as Message, { timeoutMs: 30 }).catch(() => ctx.log.info({ to }, 'ask failed'))
          ctx.after(randInt(() => ctx.random(), 1, 20), { type: 'tick' })
        } else if (m.type === 'q') ctx.reply(meta, { type: 'a' })
      },
    }))
  }
  for (let f = 0; f < 6; f++) {
    const at = randInt(sim.rng, 0, 400)
    const kind = randInt(sim.rng, 0, 4)
    const victim = `peer-${randInt(sim.rng, 0, 3)}`
    sim.at(at, () => {
      if (kind === 0) { sim.crash(victim); sim.at(30, () => sim.restart(victim)) }
      else if (kind === 1) { const heal = sim.partition([victim], ['peer-0', 'peer-1']); sim.at(50, heal) }
      else if (kind === 2) { const heal = sim.delay({ to: [victim], ms: 15, jitterMs: 10 }); sim.at(40, heal) }
      else if (kind === 3) { const heal = sim.duplicate({ from: [victim], probability: 0.5 }); sim.at(40, heal) }
      else { const heal = sim.reorder({ windowMs: 20 }); sim.at(40, heal) }
    })
  }
  await sim.run(500)
  return sim.trace.join('\n')
}

t.test('seed replay: same seed same trace with faults, another seed differs', async (t) => {
  const seed = testSeed(42)
  t.comment(`seed ${seed} (replay with SEED=${seed})`)
  const a = await chaos(seed)
  const b = await chaos(seed)
  t.ok(a.length > 1000, 'the run did something')
  t.ok(a === b, `same trace twice for seed ${seed}`)
  t.not(await chaos(seed + 1), a, 'a different seed gives a different trace')
})

t.test('delay shifts delivery, reorder lets later messages overtake, duplicate doubles', async (t) => {
  const seed = testSeed(5)
  {
    const sim = new Simulation({ seed, latencyMs: [1, 1] })
    sim.delay({ to: ['rx-0'], ms: 100 })
    const { got } = pair(sim, 10)
    await sim.run(50)
    t.same(got, [], `nothing arrives before the delay (seed ${seed})`)
    await sim.run(100)
    t.same(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  }
  {
    const sim = new Simulation({ seed, latencyMs: [1, 1] })
    const { got } = pair(sim, 50)
    sim.reorder({ windowMs: 30 })
    await sim.run(200)
    t.equal(got.length, 50)
    t.notSame(got, [...got].sort((x, y) => x - y), `reordered (seed ${seed})`)
  }
  {
    const sim = new Simulation({ seed, latencyMs: [1, 1] })
    const { got } = pair(sim, 20)
    const heal = sim.duplicate({ from: ['tx-0'], probability: 1 })
    await sim.run(10)
    heal()
    await sim.run(100)
    const twice = [...new Set(got)].filter((i) => got.filter((x) => x === i).length === 2)
    t.ok(twice.length >= 5, `early messages doubled (seed ${seed})`)
    t.equal(got.filter((i) => i === 19).length, 1, 'after heal, delivered once')
  }
})

t.test('partition drops both ways until healed; dropRate drops a share', async (t) => {
  const seed = testSeed(9)
  const sim = new Simulation({ seed, latencyMs: [1, 1] })
  const heal = sim.partition(['tx-0'], ['rx-0'])
  const { got } = pair(sim, 100)
  await sim.run(30)
  t.same(got, [])
  heal()
  await sim.run(30)
  t.ok(got.length > 20)
  const before = got.length
  const stop = sim.dropRate(0.5)
  await sim.run(40)
  stop()
  const share = (got.length - before) / 40
  t.ok(share > 0.2 && share < 0.8, `about half dropped (${share}, seed ${seed})`)
})

t.test('pause holds a mailbox, skew moves an actor clock, crash/restart', async (t) => {
  const sim = new Simulation({ seed: testSeed(3), latencyMs: [1, 1] })
  const { got } = pair(sim, 10)
  sim.pause('rx-0')
  await sim.run(30)
  t.same(got, [])
  sim.resume('rx-0')
  t.same(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  const c = sim.client('clk-0')
  sim.skewClock('clk-0', 5000)
  t.equal(c.now() - sim.now(), 5000)
  sim.crash('rx-0')
  t.notOk(sim.has('rx-0'))
  sim.restart('rx-0')
  t.ok(sim.has('rx-0'))
})

t.test('disk faults: failing disk rejects with DISK_FAILED, slow disk takes virtual time', async (t) => {
  const sim = new Simulation({ seed: testSeed(11) })
  const results: string[] = []
  const ctx = sim.spawn('db-0', () => ({ receive() {} }), { disk: true })
  const write = async () => {
    const t0 = ctx.now()
    try {
      await ctx.disk!.append('wal', new Uint8Array([1]))
      await ctx.disk!.sync('wal')
      results.push(`ok ${ctx.now() - t0}`)
    } catch (e) {
      results.push((e as { code: string }).code)
    }
  }
  sim.diskSlow('db-0', 20)
  void write()
  await sim.run(100)
  sim.diskHeal('db-0')
  sim.diskFail('db-0')
  void write()
  await sim.run(10)
  sim.diskHeal('db-0')
  void write()
  await sim.run(0)
  t.same(results, ['ok 40', 'DISK_FAILED', 'ok 0'], results.join(','))
})
