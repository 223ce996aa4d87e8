import t from 'tap'
import { evaluate, type RunFacts } from '../../../runtime/lab/assertions.ts'
import { HaTracker } from '../../../runtime/lab/ha-tracker.ts'
import type { AssertionSpec } from '../../../runtime/lab/scenario.ts'

function facts(over: Partial<RunFacts> = {}): RunFacts {
  return {
    ha: [],
    gaps: [],
    etcdLeaders: new Map(),
    lastFaultAt: 1000,
    workload: { acked: [], lost: [], readBack: true, deployments: new Map(), podNodes: new Map(), doubleRunning: [] },
    ...over,
  }
}

t.test('failover gap: the longest leaderless period decides', async (t) => {
  const h = new HaTracker()
  h.leadership('scheduler-0', true, 0)
  h.down('scheduler-0', 1000)
  h.leadership('scheduler-1', true, 2600)
  const spec: AssertionSpec[] = [{ failoverGap: { component: 'scheduler', maxMs: 1500 } }, { failoverGap: { component: 'scheduler', maxMs: 2000 } }]
  const [tight, loose] = evaluate(spec, facts({ ha: h.events, gaps: h.gaps }))
  t.equal(tight?.passed, false)
  t.match(tight?.detail, /max gap 1600 ms/)
  t.equal(loose?.passed, true)
})

t.test('the same leader coming back still counts its gap', async (t) => {
  const h = new HaTracker()
  h.leadership('scheduler-0', true, 0)
  h.down('scheduler-0', 1000)
  h.leadership('scheduler-0', true, 1300)
  t.equal(h.events.length, 0)
  t.same(h.gaps.map((g) => g.gapMs), [300])
})

t.test('single leader: overlaps of lease holders fail; etcd is judged per term', async (t) => {
  const h = new HaTracker()
  h.leadership('controller-manager-0', true, 0)
  h.leadership('controller-manager-1', true, 10)
  const etcd = new Map([['main', new Map([[1, new Set(['etcd-main-0'])], [2, new Set(['etcd-main-1'])]])]])
  const [cm, all] = evaluate([{ singleLeader: { component: 'controller-manager' } }, { singleLeader: { component: 'etcd/main' } }], facts({ ha: h.events, etcdLeaders: etcd }))
  t.equal(cm?.passed, false)
  t.equal(all?.passed, true, 'two leaders in different terms are fine')
  etcd.get('main')!.get(2)!.add('etcd-main-2')
  t.equal(evaluate([{ singleLeader: true }], facts({ etcdLeaders: etcd }))[0]?.passed, false)
})

t.test('term changes, writes, pods, deployments', async (t) => {
  const etcd = new Map([['main', new Map([[1, new Set(['a'])], [2, new Set(['b'])], [3, new Set(['a'])]])]])
  t.equal(evaluate([{ etcdTermChanges: { shard: 'main', max: 1 } }], facts({ etcdLeaders: etcd }))[0]?.passed, false)
  t.equal(evaluate([{ etcdTermChanges: { shard: 'main', max: 2 } }], facts({ etcdLeaders: etcd }))[0]?.passed, true)
  const w = facts().workload
  w.acked = [{ name: 'x-1', value: 'v1' }, { name: 'x-2', value: 'v2' }]
  w.lost = ['x-2']
  const [lost] = evaluate([{ noAcknowledgedWriteLost: true }], facts({ workload: w }))
  t.equal(lost?.passed, false)
  t.match(lost?.detail, /lost 1 of 2: x-2/)
  w.podNodes.set('uid-1', new Set(['node-0', 'node-1']))
  t.equal(evaluate([{ noPodRanTwice: true }], facts({ workload: w }))[0]?.passed, false)
  w.deployments.set('default/web', [{ time: 500, available: true }, { time: 1500, available: false }, { time: 4000, available: true }])
  t.equal(evaluate([{ deploymentAvailable: { name: 'web', namespace: 'default', within: 2000 } }], facts({ workload: w }))[0]?.passed, false)
  t.equal(evaluate([{ deploymentAvailable: { name: 'web', namespace: 'default', within: 3000 } }], facts({ workload: w }))[0]?.passed, true)
})
