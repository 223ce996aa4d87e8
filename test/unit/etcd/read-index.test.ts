// ReadIndex batching in the Raft core: one round in flight at a time, every read that arrives
// meanwhile shares the next round; followers ask the leader once for all their waiting reads.
import t from 'tap'
import type { RaftMessage } from '../../../protocols/raft.ts'
import { RaftNet, enc } from './raft-net.ts'

const ids = ['etcd-main-0', 'etcd-main-1', 'etcd-main-2']

/** ReadIndex rounds the leader started: distinct `read` values on its heartbeats. */
const rounds = (sent: RaftMessage[], leader: string) =>
  new Set(sent.filter((m) => m.type === 'raft.heartbeat' && m.from === leader && m.read !== undefined).map((m) => (m as { read: number }).read)).size

function settled(seed: number): { net: RaftNet; l: string; f: string } {
  const net = new RaftNet(ids, seed)
  const l = net.elect()
  net.node(l).propose([enc('w1')])
  net.stabilize()
  net.sent.length = 0
  return { net, l, f: ids.find((i) => i !== l) as string }
}

t.test('N reads started together on the leader: one ReadIndex round, one index for all', async (t) => {
  const { net, l } = settled(21)
  const reads = Array.from({ length: 50 }, () => net.node(l).readIndex() as number)
  net.stabilize()
  t.equal(rounds(net.sent, l), 1, 'a single round')
  t.equal(net.sent.filter((m) => m.type === 'raft.heartbeat').length, 2, 'one heartbeat per follower')
  const got = reads.map((r) => net.reads.find((x) => x.id === l && x.read === r)?.index)
  t.same(new Set(got), new Set([net.node(l).log.committed]), 'every read has the commit index')
})

t.test('reads that arrive while a round is in flight share the next single round', async (t) => {
  const { net, l } = settled(22)
  const leader = net.node(l)
  const first = leader.readIndex() as number
  // Start the round, but hold the followers' answers.
  const rd = leader.ready()
  leader.advance(rd)
  const round1 = [...rd.early, ...rd.messages].filter((m) => m.type === 'raft.heartbeat')
  t.equal(round1.length, 2)
  for (const m of round1) net.node(m.to).step(m)
  const replies: RaftMessage[] = []
  for (const id of ids) {
    if (id === l) continue
    const frd = net.node(id).ready()
    net.node(id).advance(frd)
    replies.push(...frd.early, ...frd.messages)
  }
  // A write commits meanwhile, then more reads come in.
  const w2 = leader.propose([enc('w2')]) as number
  const later = Array.from({ length: 20 }, () => leader.readIndex() as number)
  const during = leader.takeEarly().filter((m) => m.type === 'raft.heartbeat')
  t.same(during, [], 'no new round while one is in flight')
  net.stabilize()
  t.notOk(net.reads.find((x) => x.read === first), 'the first round is not done yet')
  for (const m of replies) net.node(m.to).step(m)
  net.stabilize()
  const r1 = net.reads.find((x) => x.id === l && x.read === first)
  t.ok(r1, 'the first read completes')
  const idx = new Set(later.map((r) => net.reads.find((x) => x.id === l && x.read === r)?.index))
  t.equal(idx.size, 1, 'the later reads share one index')
  const [i2] = [...idx]
  t.ok(i2 !== undefined && i2 >= (r1?.index ?? Infinity), 'later reads never go back')
  t.ok(i2 !== undefined && i2 >= w2, 'later reads see the write committed before their round')
  t.ok(rounds(net.sent, l) <= 2, `rounds after the first: ${rounds(net.sent, l)}`)
})

t.test('a follower asks its leader once for all its waiting reads and sees committed writes', async (t) => {
  const { net, l, f } = settled(23)
  net.node(l).propose([enc('w2')])
  net.stabilize()
  const committed = net.node(l).log.committed
  const reads = Array.from({ length: 30 }, () => net.node(f).readIndex() as number)
  t.ok(reads.every((r) => r !== undefined), 'a follower with a leader takes reads')
  net.stabilize()
  const asked = net.sent.filter((m) => m.type === 'raft.read-index' && m.from === f)
  t.equal(asked.length, 1, 'one read-index request for 30 reads')
  t.equal(rounds(net.sent, l), 1, 'answered by one leader round')
  const got = reads.map((r) => net.reads.find((x) => x.id === f && x.read === r)?.index)
  t.ok(got.every((i) => i !== undefined && i >= committed), 'every read index covers the writes committed before it')
  t.ok(net.node(f).log.applied >= committed, 'the follower has applied up to the read index')
})

t.test('follower reads arriving while its request is in flight go in one next request', async (t) => {
  const { net, l, f } = settled(24)
  const fn = net.node(f)
  const first = fn.readIndex() as number
  const rd = fn.ready()
  fn.advance(rd)
  const req = [...rd.early, ...rd.messages].filter((m) => m.type === 'raft.read-index')
  t.equal(req.length, 1)
  const more = Array.from({ length: 10 }, () => fn.readIndex() as number)
  t.same(fn.takeEarly().filter((m) => m.type === 'raft.read-index'), [], 'nothing more sent while one is in flight')
  net.queue.push(...req)
  net.stabilize()
  t.ok(net.reads.find((x) => x.id === f && x.read === first), 'first read answered')
  t.ok(more.every((r) => net.reads.find((x) => x.id === f && x.read === r)), 'the others answered')
  t.equal(net.sent.filter((m) => m.type === 'raft.read-index' && m.from === f).length, 1, 'by exactly one more request')
  t.equal(rounds(net.sent, l), 2)
})

t.test('reads are dropped (for the caller to retry) when the leader goes away; none on a node without a leader', async (t) => {
  const { net, l, f } = settled(25)
  net.isolate(l)
  const r = net.node(f).readIndex() as number
  net.tick(60)
  t.ok(net.dropped.some((x) => x.id === f && x.read === r), 'dropped once the follower gave up on the old leader')
  t.notOk(net.reads.find((x) => x.id === f && x.read === r))
  const lonely = new RaftNet(['etcd-x-0', 'etcd-x-1', 'etcd-x-2'], 26)
  t.equal(lonely.node('etcd-x-0').readIndex(), undefined, 'no leader known: no read index')
})

t.test('a leader counts its own log only once advance() says it is durable', async (t) => {
  const { net, l } = settled(27)
  const leader = net.node(l)
  const b = ids.filter((i) => i !== l)[1]
  const idx = leader.propose([enc('x')]) as number
  const rd = leader.ready()
  t.ok(rd.early.some((m) => m.type === 'raft.append'), 'appends may go out before the leader persists')
  // Only one follower hears it: leader (not yet durable) + one follower is no quorum.
  net.drop = (m) => m.to === b || m.from === b
  net.queue.push(...rd.early)
  net.stabilize()
  t.ok(leader.log.committed < idx, 'not committed on one follower while the leader has not persisted')
  leader.advance(rd)
  net.stabilize()
  t.ok(leader.log.committed >= idx, 'committed once the leader persisted too')
})

t.test('pre-vote: a candidate with the minimum timeout is not ignored by a voter a tick behind', async (t) => {
  // The first two replicas draw long timeouts, every later draw is the minimum (10 ticks).
  const draws = [0.99, 0.5]
  const net = new RaftNet(ids, 28, { random: () => draws.shift() ?? 0 })
  const l = net.elect()
  t.equal(l, ids[2], 'the replica with the shortest timeout leads')
  const [a, b] = [ids[0], ids[1]]
  net.isolate(l)
  // a lost the leader one tick before b did (ticks of replicas are not in phase).
  net.node(a).tick()
  net.stabilize()
  for (let k = 0; k < 9; k++) {
    net.node(a).tick()
    net.node(b).tick()
    net.stabilize()
  }
  t.equal(net.node(a).role, 'leader', `${a} was elected at its first timeout, with ${b}'s vote`)
  t.equal(net.node(b).leader, a)
})

t.test('a candidate sends its vote requests before persisting, but wins only once its own term and vote are durable', async (t) => {
  const five = ['etcd-v-0', 'etcd-v-1', 'etcd-v-2', 'etcd-v-3', 'etcd-v-4']
  const net = new RaftNet(five, 29)
  const c = net.node(five[0])
  const peers = five.slice(1).map((id) => net.node(id))
  /** Deliver `msgs`; every peer then "persists" and answers; the answers to c are returned. */
  const exchange = (msgs: RaftMessage[]): RaftMessage[] => {
    for (const m of msgs) net.node(m.to).step(m)
    const back: RaftMessage[] = []
    for (const p of peers) {
      const rd = p.ready()
      p.advance(rd)
      back.push(...[...rd.early, ...rd.messages].filter((m) => m.to === c.id))
    }
    return back
  }
  while (c.role === 'follower') c.tick()
  t.equal(c.role, 'precandidate')
  const rd1 = c.ready()
  c.advance(rd1)
  for (const m of exchange(rd1.early)) c.step(m)
  t.equal(c.role, 'candidate', 'pre-vote won')
  // The Ready holding the new term and vote is taken but not yet persisted.
  const rd2 = c.ready()
  t.same(rd2.hardState && { term: rd2.hardState.term, vote: rd2.hardState.vote }, { term: c.term, vote: c.id })
  const votes = rd2.early.filter((m) => m.type === 'raft.vote' && !m.pre)
  t.equal(votes.length, 4, 'vote requests go out before the candidate persisted its vote')
  for (const m of exchange(votes)) c.step(m)
  t.equal(c.role, 'candidate', 'four peer votes (a quorum of five) are not enough while its own vote is not durable')
  c.advance(rd2)
  t.equal(c.role, 'leader', 'leader once its term and vote are persisted')
})
