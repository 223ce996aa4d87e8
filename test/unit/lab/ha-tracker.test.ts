import t from 'tap'
import { groupOf, HaTracker } from '../../../runtime/lab/ha-tracker.ts'

t.test('groups from names', async (t) => {
  t.equal(groupOf('etcd-main-2'), 'etcd/main')
  t.equal(groupOf('etcd-events-0'), 'etcd/events')
  t.equal(groupOf('scheduler-1'), 'scheduler')
  t.equal(groupOf('controller-manager-0'), 'controller-manager')
  t.equal(groupOf('kubelet@node-1'), undefined)
})

t.test('crash of the leader, then a standby takes over: one failover with the gap', async (t) => {
  const h = new HaTracker()
  t.equal(h.leadership('scheduler-0', true, 1000), undefined, 'the first leader is no failover')
  h.down('scheduler-0', 5000)
  t.equal(h.leaderOf('scheduler'), undefined)
  const ev = h.leadership('scheduler-1', true, 7250)
  t.same(ev, { time: 7250, event: 'ha.failover', component: 'scheduler', from: 'scheduler-0', to: 'scheduler-1', gapMs: 2250, term: undefined })
  t.equal(h.leaderOf('scheduler'), 'scheduler-1')
  h.finish(9000)
  t.same(h.intervals.map((i) => [i.id, i.from, i.to]), [['scheduler-0', 1000, 5000], ['scheduler-1', 7250, 9000]])
})

t.test('graceful hand-over (leader reports false, then the other true) measures the gap', async (t) => {
  const h = new HaTracker()
  h.leadership('etcd-main-0', true, 0, { term: 2 })
  h.leadership('etcd-main-0', false, 100, { term: 2 })
  const ev = h.leadership('etcd-main-1', true, 160, { term: 3 })
  t.equal(ev?.event, 'ha.failover')
  t.equal(ev?.component, 'etcd/main')
  t.equal(ev?.gapMs, 60)
  t.equal(ev?.term, 3)
})

t.test('a second claimant while the first still claims is an overlap, not a failover', async (t) => {
  const h = new HaTracker()
  h.leadership('controller-manager-0', true, 0)
  const ev = h.leadership('controller-manager-1', true, 10)
  t.equal(ev?.event, 'ha.overlap')
  t.equal(ev?.from, 'controller-manager-0')
  t.equal(h.events.length, 1)
  h.leadership('controller-manager-0', false, 20)
  t.equal(h.leaderOf('controller-manager'), 'controller-manager-1')
})

t.test('the same leader coming back after losing leadership is no failover', async (t) => {
  const h = new HaTracker()
  h.leadership('scheduler-0', true, 0)
  h.leadership('scheduler-0', false, 50)
  t.equal(h.leadership('scheduler-0', true, 90), undefined)
  t.equal(h.events.length, 0)
})
