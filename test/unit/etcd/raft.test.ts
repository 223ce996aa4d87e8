import t from 'tap'
import { RaftNet, enc } from './raft-net.ts'
import { RaftLog } from '../../../actors/etcd/raft/log.ts'
import { ticksFor } from '../../../actors/etcd/timing.ts'

const ids = ['etcd-main-0', 'etcd-main-1', 'etcd-main-2']

t.test('elects one leader and replicates a batch to every replica in order', async (t) => {
  const net = new RaftNet(ids)
  const l = net.elect()
  t.equal([...net.nodes.values()].filter((n) => n.role === 'leader').length, 1)
  net.node(l).propose([enc('a'), enc('b')])
  net.node(l).propose([enc('c')])
  net.stabilize()
  net.tick(2)
  for (const id of ids) t.same(net.data(id), ['a', 'b', 'c'], id)
})

t.test('a follower does not accept proposals; a new leader takes over after the old one is isolated', async (t) => {
  const net = new RaftNet(ids, 2)
  const l = net.elect()
  const f = ids.find((i) => i !== l) as string
  t.equal(net.node(f).propose([enc('x')]), undefined)
  net.node(l).propose([enc('1')])
  net.stabilize()
  net.isolate(l)
  net.tick(60)
  const l2 = net.leader()
  t.ok(l2 && l2 !== l, 'new leader')
  t.ok(net.node(l2 as string).term > net.node(l).term || net.node(l).role !== 'leader')
  t.not(net.node(l).role, 'leader', 'check-quorum: the isolated leader stepped down')
  net.node(l2 as string).propose([enc('2')])
  net.stabilize()
  net.heal()
  net.tick(5)
  for (const id of ids) t.same(net.data(id), ['1', '2'], id)
})

t.test('pre-vote: a replica rejoining after a partition does not depose a healthy leader', async (t) => {
  const net = new RaftNet(ids, 3)
  const l = net.elect()
  const f = ids.find((i) => i !== l) as string
  const term = net.node(l).term
  net.isolate(f)
  net.tick(100)
  t.equal(net.node(f).term, term, 'pre-vote kept the isolated replica at the same term')
  net.heal()
  net.tick(5)
  t.equal(net.leader(), l)
  t.equal(net.node(l).term, term, 'no needless election')
})

t.test('without pre-vote the same rejoin disrupts the term (the check is meaningful)', async (t) => {
  const net = new RaftNet(ids, 3, { preVote: false, checkQuorum: false })
  const l = net.elect()
  const f = ids.find((i) => i !== l) as string
  const term = net.node(l).term
  net.isolate(f)
  net.tick(100)
  net.heal()
  net.tick(5)
  t.ok(net.node(l).term > term)
})

t.test('leader transfer hands leadership over without an election timeout', async (t) => {
  const net = new RaftNet(ids, 4)
  const l = net.elect()
  const target = ids.find((i) => i !== l) as string
  net.node(l).propose([enc('p')])
  net.stabilize()
  t.ok(net.node(l).transferLeader(target))
  t.equal(net.node(l).propose([enc('q')]), undefined, 'proposals refused while transferring')
  net.stabilize()
  t.equal(net.leader(), target)
  t.equal(net.node(l).role, 'follower')
})

t.test('ReadIndex: confirmed by a quorum, returns the commit index; an isolated leader cannot complete one', async (t) => {
  const net = new RaftNet(ids, 5)
  const l = net.elect()
  net.node(l).propose([enc('r')])
  net.stabilize()
  const read = net.node(l).readIndex() as number
  t.ok(read > 0)
  net.stabilize()
  const r = net.reads.find((x) => x.read === read)
  t.ok(r)
  t.equal(r?.index, net.node(l).log.committed)
  // an isolated leader cannot complete a read
  net.isolate(l)
  const read2 = net.node(l).readIndex() as number
  net.stabilize()
  t.notOk(net.reads.find((x) => x.read === read2))
})

t.test('snapshot: a replica far behind catches up by snapshot after log compaction', async (t) => {
  const net = new RaftNet(ids, 6)
  const l = net.elect()
  const lag = ids.find((i) => i !== l) as string
  net.isolate(lag)
  for (let k = 0; k < 50; k++) net.node(l).propose([enc(`v${k}`)])
  net.stabilize()
  const ln = net.node(l)
  ln.compact(ln.log.applied, enc('SNAP'))
  t.ok(ln.log.firstIndex() > 40)
  net.heal()
  net.tick(5)
  const applied = net.applied.get(lag) ?? []
  t.ok(applied.some((e) => new TextDecoder().decode(e.data) === 'SNAP'), 'snapshot installed')
  t.equal(net.node(lag).log.committed, ln.log.committed)
  ln.propose([enc('after')])
  net.stabilize()
  net.tick(2)
  t.equal(net.data(lag).at(-1), 'after')
})

t.test('flow control: at most maxInflight appends in flight to a silent follower', async (t) => {
  const net = new RaftNet(ids, 7, { maxInflight: 4, maxEntriesPerMsg: 1 })
  const l = net.elect()
  const f = ids.find((i) => i !== l) as string
  net.drop = (m) => m.to === f && m.type === 'raft.append.reply'
  net.drop = (m) => m.from === f
  for (let k = 0; k < 20; k++) net.node(l).propose([enc(`x${k}`)])
  const rd = net.node(l).ready()
  const toF = [...rd.early, ...rd.messages].filter((m) => m.to === f && m.type === 'raft.append')
  t.ok(toF.length <= 4, `sent ${toF.length}`)
})

t.test('random drops and isolations: committed entries never differ, one leader per term', async (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const net = new RaftNet([...ids, 'etcd-main-3', 'etcd-main-4'], seed)
    const rng = net.rng
    net.drop = () => rng() < 0.1
    let n = 0
    for (let step = 0; step < 300; step++) {
      const l = net.leader()
      if (l && rng() < 0.5) net.node(l).propose([enc(`s${seed}-${n++}`)])
      if (rng() < 0.02) {
        const victim = net.ids[Math.floor(rng() * net.ids.length)]
        const prev = net.drop
        net.drop = (m) => m.from === victim || m.to === victim || prev(m)
      }
      if (rng() < 0.03) net.drop = () => rng() < 0.1
      net.tick()
    }
    net.heal()
    net.tick(100)
    const logs = net.ids.map((id) => net.data(id))
    const longest = logs.reduce((a, b) => (b.length > a.length ? b : a))
    for (const lg of logs) t.same(lg, longest.slice(0, lg.length), `seed ${seed}: prefix`)
    t.ok(longest.length > 0, `seed ${seed}: progress`)
  }
})

t.test('a new commit index reaches the followers at once, not at the next heartbeat', async (t) => {
  const net = new RaftNet(ids, 8)
  const l = net.elect()
  const idx = net.node(l).propose([enc('c')]) as number
  net.stabilize()
  t.ok(net.node(l).log.committed >= idx)
  for (const id of ids) t.ok(net.node(id).log.committed >= idx, `${id} knows the commit index without a tick`)
  for (const id of ids) t.same(net.data(id), ['c'], `${id} applied it`)
})

t.test('timings: ticks from the heartbeat; the election timeout in whole ticks from [min, max), as etcd draws it', async (t) => {
  t.same(ticksFor(100, [1000, 2000]), { tickMs: 100, heartbeatTicks: 1, electionTicks: [10, 19] }, 'etcd at 100/1000 ms: 1000..1900 ms')
  t.same(ticksFor(50, [300, 600]), { tickMs: 30, heartbeatTicks: 2, electionTicks: [10, 19] }, 'lab defaults')
  t.same(ticksFor(100, [1000, 1000]).electionTicks, [10, 10], 'a fixed timeout')
})

t.test('the log keeps entry data in buffers of its own, not views into the batch or file it came in', async (t) => {
  const batch = new Uint8Array(1 << 20)
  batch.set([1, 2, 3], 100)
  const view = batch.subarray(100, 103)
  const fromFile = new RaftLog(undefined, [{ term: 1, index: 1, data: view }])
  const own = fromFile.entries[0]!.data!
  t.equal(own.buffer.byteLength, 3, 'restored entries: 3 bytes of their own, not the 1 MiB file')
  t.same([...own], [1, 2, 3])
  fromFile.maybeAppend(1, 1, 1, [{ term: 1, index: 2, data: batch.subarray(200, 210) }])
  t.equal(fromFile.entries[1]!.data!.buffer.byteLength, 10, 'a follower append copies out of the message batch')
  const whole = new Uint8Array([9])
  fromFile.append([{ term: 1, index: 3, data: whole }, { term: 1, index: 4 }])
  t.equal(fromFile.entries[2]!.data, whole, 'data that already owns its buffer is kept as it is')
  t.equal(fromFile.entries[3]!.data, undefined, 'an entry without data stays without')
  batch[100] = 42
  t.equal(own[0], 1, 'a later change to the batch does not reach the log')
})
