// Linearizable reads on the replica actors: reads in flight together cost one ReadIndex round
// (plus at most the round already in flight), at the leader and through a follower's read-index
// request, and every read sees the last acknowledged write.
import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import type { Message } from '../../../runtime/actor.ts'
import type { KvRangeReply } from '../../../protocols/kv.ts'
import type { RaftMessage } from '../../../protocols/raft.ts'
import { SimCluster, bytes, request, text } from './cluster.ts'

t.test('40 reads in flight at the leader or at a follower: at most two ReadIndex rounds, all see the last write', async (t) => {
  const seed = testSeed(31)
  t.comment(`seed ${seed}`)
  const sent: Array<{ from: string; msg: RaftMessage }> = []
  const c = new SimCluster({ seed, onRaftSend: (from, msg) => sent.push({ from, msg: msg as RaftMessage }) })
  const leader = await c.waitLeader()
  await c.sim.run(200)
  const follower = c.members.find((m) => m !== leader) as string
  const api = c.sim.client('apiserver-0')
  const rounds = () => new Set(sent.filter((s) => s.from === leader && s.msg.type === 'raft.heartbeat' && s.msg.read !== undefined).map((s) => (s.msg as { read: number }).read)).size
  const requests = () => sent.filter((s) => s.from === follower && s.msg.type === 'raft.read-index').length

  for (const [k, at] of [[1, leader], [2, follower], [3, leader], [4, follower]] as const) {
    const put = await request(c, api, leader, { type: 'kv.put', key: '/r/x', value: bytes(`v${k}`) })
    t.equal(put.type, 'kv.put.reply', `write v${k} acknowledged`)
    sent.length = 0
    const got: string[] = []
    let failed = 0
    for (let i = 0; i < 40; i++) {
      api.ask<KvRangeReply>(at, { type: 'kv.range', key: '/r/x' } as Message, { timeoutMs: 3000 }).then(
        (r) => (r.type === 'kv.range.reply' ? got.push(text(r.kvs[0]!.value)) : failed++),
        () => failed++,
      )
    }
    t.ok(await c.sim.runUntil(() => got.length + failed === 40, 3000), `40 reads answered at ${at === leader ? 'the leader' : 'a follower'}`)
    t.equal(failed, 0)
    t.same([...new Set(got)], [`v${k}`], 'every read sees the last acknowledged write')
    t.ok(rounds() >= 1 && rounds() <= 2, `${rounds()} ReadIndex round(s) for 40 reads`)
    if (at === follower) t.ok(requests() >= 1 && requests() <= 2, `${requests()} read-index request(s) from the follower for 40 reads`)
  }
  t.same(c.violations, [])
})
