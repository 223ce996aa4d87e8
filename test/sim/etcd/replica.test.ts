import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import type { KvError, KvPutReply, KvRangeReply, KvTxnReply, KvWatchEvents } from '../../../protocols/kv.ts'
import type { Message } from '../../../runtime/actor.ts'
import { SimCluster, bytes, request, text } from './cluster.ts'

t.test('a 3-replica shard elects, serves writes and reads through any replica, watches, and survives a leader crash', async (t) => {
  const seed = testSeed(11)
  t.comment(`seed ${seed}`)
  const c = new SimCluster({ seed })
  const leader = await c.waitLeader()
  await c.sim.run(100)
  const api = c.sim.client('apiserver-0')
  const follower = c.members.find((m) => m !== leader) as string

  const events: KvWatchEvents[] = []
  const watcher = c.sim.spawn('apiserver-1', () => ({ receive: (m) => { if (m.type === 'kv.watch.events') events.push(m as KvWatchEvents) } }))
  const created = await request(c, watcher, follower, { type: 'kv.watch.create', watchId: 'w', key: '/registry/', prefix: true, prevKv: true })
  t.equal(created.type, 'kv.watch.created')

  const put = await request<KvPutReply>(c, api, follower, { type: 'kv.put', key: '/registry/pods/a', value: bytes('1') })
  t.equal(put.type, 'kv.put.reply', 'write through a follower is forwarded')
  t.equal((put as KvPutReply).header.revision, 1)

  const rr = (await request<KvRangeReply>(c, api, follower, { type: 'kv.range', key: '/registry/pods/a' })) as KvRangeReply
  t.equal(text(rr.kvs[0].value), '1', 'linearizable read through a follower sees the write')

  const txn = (await request<KvTxnReply>(c, api, leader, { type: 'kv.txn', compare: [{ key: '/registry/pods/a', target: 'mod', result: '=', value: 1 }], success: [{ op: 'put', key: '/registry/pods/a', value: bytes('2'), prevKv: true }], failure: [] })) as KvTxnReply
  t.ok(txn.succeeded)
  const conflict = (await request<KvTxnReply>(c, api, leader, { type: 'kv.txn', compare: [{ key: '/registry/pods/a', target: 'mod', result: '=', value: 1 }], success: [{ op: 'put', key: '/registry/pods/a', value: bytes('3') }], failure: [] })) as KvTxnReply
  t.notOk(conflict.succeeded, 'stale mod revision fails')
  t.ok(await c.sim.runUntil(() => events.length >= 2, 2000), 'watch events delivered')
  t.same(events.map((e) => e.revision), [1, 2])
  t.equal(text(events[1].events[0].prevKv!.value), '1')

  const bad = (await request<KvError>(c, api, leader, { type: 'kv.put', key: '', value: bytes('x') })) as KvError
  t.equal(bad.code, 'KV_BAD_REQUEST', 'bad input is a typed rejection')
  const old = (await request<KvError>(c, api, leader, { type: 'kv.range', key: '/x', revision: 99 })) as KvError
  t.equal(old.code, 'KV_FUTURE_REV')
  t.equal(c.sim.crashes.length, 0)

  c.crash(leader)
  t.ok(await c.sim.runUntil(() => c.leader() !== undefined && c.leader() !== leader, 5000), 'new leader after crash')
  const after = (await request<KvRangeReply>(c, api, c.leader()!, { type: 'kv.range', key: '/registry/pods/a' })) as KvRangeReply
  t.equal(text(after.kvs[0].value), '2')
  c.restart(leader)
  await c.sim.run(2000)
  t.equal(c.replicas.get(leader)!.inspect().store.revision, 2, 'restarted replica recovered from its WAL and caught up')
  t.same(c.violations, [])
})

t.test('graceful stop of the leader transfers leadership without waiting for an election timeout', async (t) => {
  const c = new SimCluster({ seed: testSeed(12), args: { electionTimeoutMs: [2000, 4000] } })
  const leader = await c.waitLeader()
  await c.sim.run(200)
  const start = c.sim.now()
  let stopped = false
  void c.sim.stop(leader).then(() => (stopped = true))
  const other = () => c.members.some((m) => m !== leader && (c.sim.reports.get(m)?.info as { leader?: boolean })?.leader)
  t.ok(await c.sim.runUntil(() => other() && stopped, 1500), 'another replica leads')
  t.ok(c.sim.now() - start < 1500, `transfer took ${c.sim.now() - start} ms, below the 2000 ms election timeout`)
})

t.test('crash points: an armed point crashes the replica; after restart no acknowledged write is lost', async (t) => {
  for (const point of ['before-wal-append', 'after-wal-append', 'after-fsync', 'before-apply', 'after-apply', 'before-send']) {
    const c = new SimCluster({ seed: testSeed(13) })
    const leader = await c.waitLeader()
    const api = c.sim.client('apiserver-0')
    const acked: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = await request<KvPutReply>(c, api, leader, { type: 'kv.put', key: `/pre/${i}`, value: bytes(`${i}`) })
      if (r.type === 'kv.put.reply') acked.push(`/pre/${i}`)
    }
    t.equal(acked.length, 3)
    const sup = c.sim.client('supervisor')
    sup.send(leader, { type: 'etcd.crashpoint.arm', point } as Message)
    await c.sim.run(10)
    for (let i = 0; i < 5; i++) {
      void api.ask<KvPutReply>(leader, { type: 'kv.put', key: `/k/${i}`, value: bytes(`${i}`) } as Message, { timeoutMs: 3000 }).then((r) => { if (r.type === 'kv.put.reply') acked.push(`/k/${i}`) }, () => {})
    }
    t.ok(await c.sim.runUntil(() => c.sim.crashes.length > 0, 3000), `${point}: replica crashed`)
    t.match(c.sim.crashes[0].error, /crash point/)
    c.crash(leader)
    await c.sim.run(3000)
    c.restart(leader)
    await c.waitLeader()
    await c.sim.run(2000)
    for (const id of c.members) {
      const st = c.replicas.get(id)!.inspect().store
      for (const k of acked) t.ok(st.get(k), `${point}: ${id} has acknowledged ${k}`)
    }
    t.same(c.violations, [])
  }
})
