// The API server's etcd client (actors/apiserver/storage.ts) against simulated replicas: it
// moves off a crashed leader without waiting out its ask timeout, and a write whose answer was
// lost is sent again under the same request id and applied once.
import t from 'tap'
import { Simulation, testSeed } from '../../../runtime/sim/simulator.ts'
import type { Message } from '../../../runtime/actor.ts'
import type { KvError, KvPutReply, KvRangeReply, KvTxnReply } from '../../../protocols/kv.ts'
import { KvClient } from '../../../actors/apiserver/storage.ts'
import { SimCluster, bytes } from './cluster.ts'

const ASK_TIMEOUT_MS = 5000

function setUp(seed: number) {
  const c = new SimCluster({ seed, args: { heartbeatMs: 50, electionTimeoutMs: [300, 600] } })
  const ctx = c.sim.client('apiserver-0')
  const kv = new KvClient(ctx, { shards: { main: c.members }, resourceShards: {}, defaultShard: 'main', askTimeoutMs: ASK_TIMEOUT_MS, totalTimeoutMs: 20_000 })
  /** Run a client call to its end in virtual time. */
  const run = async <R>(p: Promise<R>): Promise<{ value?: R; error?: unknown; ms: number }> => {
    const start = c.sim.now()
    let out: { value?: R; error?: unknown } | undefined
    p.then((value) => (out = { value }), (error: unknown) => (out = { error }))
    await c.sim.runUntil(() => out !== undefined, 30_000)
    return { ...(out ?? { error: new Error('no outcome') }), ms: c.sim.now() - start }
  }
  const createIfAbsent = (key: string, value: string) => kv.ask<KvTxnReply>('main', {
    type: 'kv.txn', compare: [{ key, target: 'create', result: '=', value: 0 }],
    success: [{ op: 'put', key, value: bytes(value) }], failure: [{ op: 'range', key }],
  })
  const versionOf = async (key: string) => {
    const r = await run(kv.ask<KvRangeReply>('main', { type: 'kv.range', key }))
    return (r.value as KvRangeReply | undefined)?.kvs[0]?.version
  }
  return { c, kv, run, createIfAbsent, versionOf }
}

t.test('a write sent to a crashed leader moves on to another replica without waiting out the ask timeout', async (t) => {
  const seed = testSeed(51)
  t.comment(`seed ${seed}`)
  const { c, kv, run, createIfAbsent, versionOf } = setUp(seed)
  const leader = await c.waitLeader()
  while (kv.current('main') !== leader) kv.rotate('main')
  const warm = await run(kv.ask<KvPutReply>('main', { type: 'kv.put', key: '/c/warm', value: bytes('1') }))
  t.equal(warm.value?.type, 'kv.put.reply')
  t.equal(kv.current('main'), leader, 'the client talks to the leader')

  c.crash(leader)
  const r = await run(createIfAbsent('/c/x', 'once'))
  t.equal(r.error, undefined, 'no error')
  t.equal(r.value?.type, 'kv.txn.reply')
  t.equal((r.value as KvTxnReply).succeeded, true, 'the create succeeded (it was not applied twice)')
  t.ok(r.ms < ASK_TIMEOUT_MS, `answered after ${r.ms} ms, before the ${ASK_TIMEOUT_MS} ms ask timeout`)
  t.not(kv.current('main'), leader, 'the client moved off the dead replica')
  t.equal(await versionOf('/c/x'), 1, 'the key was written once')

  // Later requests do not go back to the dead replica first.
  const next = await run(kv.ask<KvPutReply>('main', { type: 'kv.put', key: '/c/y', value: bytes('2') }))
  t.equal(next.value?.type, 'kv.put.reply')
  t.ok(next.ms < 300, `the next write took ${next.ms} ms`)
  t.same(c.violations, [])
})

t.test('a write whose answer is lost is retried under the same request id and applied once', async (t) => {
  const seed = testSeed(52)
  t.comment(`seed ${seed}`)
  const { c, kv, run, createIfAbsent, versionOf } = setUp(seed)
  const leader = await c.waitLeader()
  while (kv.current('main') !== leader) kv.rotate('main')
  const before = c.replicas.get(leader)!.inspect().store.revision

  // The leader applies the write but its answer to the client is lost.
  const heal = c.sim.drop({ from: [leader], to: ['apiserver-0'], probability: 1 })
  const r = await run(createIfAbsent('/c/lost', 'v'))
  heal()
  t.equal(r.error, undefined, 'no error')
  t.equal(r.value?.type, 'kv.txn.reply', 'answered by another replica')
  t.equal((r.value as KvTxnReply).succeeded, true, 'with the outcome of the one application')
  t.equal(await versionOf('/c/lost'), 1, 'written once')
  await c.sim.run(200)
  for (const id of c.members) t.equal(c.replicas.get(id)!.inspect().store.revision, before + 1, `${id}: one revision for the write`)
})

t.test('without a request id, the same retry would have failed: the store answers a repeated id from its record', async (t) => {
  const { c, run, versionOf } = setUp(testSeed(53))
  const leader = await c.waitLeader()
  const ctx = c.sim.client('apiserver-1')
  const txn = (requestId?: string) => ({
    type: 'kv.txn', compare: [{ key: '/c/z', target: 'create', result: '=', value: 0 }],
    success: [{ op: 'put', key: '/c/z', value: bytes('z') }], failure: [], ...(requestId ? { requestId } : {}),
  })
  const ask = (to: string, msg: object) => run(ctx.ask<KvTxnReply | KvError>(to, msg as never, { timeoutMs: 2000 }))
  const follower = c.members.find((m) => m !== leader) as string
  t.equal((await ask(leader, txn('req-1'))).value?.type, 'kv.txn.reply')
  const again = await ask(follower, txn('req-1'))
  t.equal((again.value as KvTxnReply).succeeded, true, 'same id at another replica: the first answer')
  const fresh = await ask(follower, txn())
  t.equal((fresh.value as KvTxnReply).succeeded, false, 'no id: applied again, and the compare fails')
  const bad = await ask(leader, { ...txn(), requestId: 42 })
  t.equal((bad.value as KvError).code, 'KV_BAD_REQUEST', 'a bad requestId is a typed rejection')
  t.match((bad.value as KvError).message, /requestId/)
  t.equal(await versionOf('/c/z'), 1)
})

t.test('a slow shard is not asked every request again and again: the first wait follows its answer times', async (t) => {
  const seed = testSeed(53)
  t.comment(`seed ${seed}`)
  const sim = new Simulation({ seed, latencyMs: [1, 2], traceDeliveries: false })
  const members = ['etcd-slow-0', 'etcd-slow-1', 'etcd-slow-2']
  let received = 0
  for (const id of members) {
    sim.spawn(id, (ctx) => ({
      async receive(_msg, meta) {
        received++
        await ctx.sleep(800)
        ctx.reply(meta, { type: 'kv.range.reply', header: { revision: 1, raftTerm: 1, member: id }, kvs: [], count: 0, more: false } as Message)
      },
    }))
  }
  const ctx = sim.client('apiserver-0')
  const kv = new KvClient(ctx, { shards: { main: members }, resourceShards: {}, defaultShard: 'main', askTimeoutMs: 5000, totalTimeoutMs: 20_000 })
  t.equal(kv.firstWait('main'), 300, 'no answer yet: the least wait')
  const one = async () => {
    let done = false
    void kv.ask<KvRangeReply>('main', { type: 'kv.range', key: '/k' }).then(() => (done = true))
    await sim.runUntil(() => done, 30_000)
    return done
  }
  t.ok(await one())
  t.ok(received >= 2, `the first request, answered after 800 ms, was sent ${received} times`)
  t.ok(kv.firstWait('main') > 800, `then the first wait is ${kv.firstWait('main')} ms`)
  received = 0
  for (let i = 0; i < 10; i++) t.ok(await one())
  t.equal(received, 10, 'ten more requests, each sent once')
})
