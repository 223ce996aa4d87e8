import t from 'tap'
import { SchedulerCache } from '../../../actors/scheduler/cache.ts'
import { schedulePod } from '../../../actors/scheduler/schedule.ts'
import { node, pod } from './fixtures.ts'

t.test('an assumed pod books its node until the watch confirms or the bind fails', async (t) => {
  const c = new SchedulerCache()
  c.setNode(node('n1', { cpu: '2' }))
  const p1 = pod('p1', { cpu: '2' })
  const p2 = pod('p2', { cpu: '2' })
  const decide = (p: typeof p1) => schedulePod({ pod: p, nodes: c.nodeList(), percentageOfNodesToScore: 100, startIndex: 0, random: () => 0 })
  t.equal(decide(p1).node, 'n1')
  c.assume(p1, 'n1', 0)
  t.ok(c.isAssumed('default/p1'))
  t.equal(decide(p2).node, undefined, 'no double booking while the bind is in flight')
  // The watch shows p1 still unbound (an older event): the assumption stays.
  c.updatePod(p1)
  t.equal(decide(p2).node, undefined)
  // The watch catches up: p1 bound.
  c.updatePod({ ...p1, spec: { ...p1.spec, nodeName: 'n1' } })
  t.notOk(c.isAssumed('default/p1'))
  t.equal(c.nodeInfo('n1')!.requested.milliCpu, 2000)
  // p1 finishes: its resources are free again.
  c.updatePod({ ...p1, spec: { ...p1.spec, nodeName: 'n1' }, status: { phase: 'Succeeded' } })
  t.equal(decide(p2).node, 'n1')
  c.assume(p2, 'n1', 100)
  c.forget('default/p2')
  t.equal(c.nodeInfo('n1')!.requested.milliCpu, 0, 'forgotten after a failed bind')
  c.assume(p2, 'n1', 100)
  t.same(c.expireAssumed(100 + 30_001, 30_000), ['default/p2'])
  t.equal(c.assumedCount(), 0)
})

t.test('nodes come and go; pods on a removed node are kept until they go', async (t) => {
  const c = new SchedulerCache()
  c.setNode(node('n1'))
  c.setNode(node('n2'))
  c.updatePod(pod('a', { nodeName: 'n2', cpu: '1' }))
  t.same(c.nodeList().map((n) => n.name), ['n1', 'n2'])
  c.removeNode('n2')
  t.same(c.nodeList().map((n) => n.name), ['n1'])
  c.setNode(node('n2'))
  t.equal(c.nodeInfo('n2')!.requested.milliCpu, 1000)
  c.removePod('default/a')
  t.equal(c.nodeInfo('n2')!.requested.milliCpu, 0)
})
