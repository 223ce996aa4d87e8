import t from 'tap'
import { decideNode, desiredTaints, evictionTime, NodeHealthTracker, TAINT_NOT_READY, TAINT_UNREACHABLE } from '../../../actors/controller-manager/node-lifecycle-core.ts'
import type { Lease } from '../../../protocols/k8s.ts'
import { iso, node, pod, T0 } from './fixtures.ts'

const lease = (renew: number): Lease => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', renewTime: iso(renew) } })

t.test('health tracker: a full grace period from first sight, reset by each lease renewal', async (t) => {
  const h = new NodeHealthTracker()
  const n = node('n1', { ready: 'True' })
  t.equal(h.observe(n, lease(T0 - 60_000), T0), T0, 'first sight counts as a renewal now')
  t.equal(h.observe(n, lease(T0 - 60_000), T0 + 3000), T0, 'unchanged lease: probe time kept')
  t.equal(h.observe(n, lease(T0 + 3500), T0 + 4000), T0 + 4000, 'renewed: probe time moves (on our clock, not the lease time)')
})

t.test('decide: Ready=True within grace; Unknown with unreachable taint after it', async (t) => {
  const n = node('n1', { ready: 'True' })
  const fresh = decideNode(n, T0, T0 + 1000, 4000)
  t.equal(fresh.ready, 'True')
  t.equal(fresh.conditions, undefined)
  t.equal(fresh.taints, undefined)
  t.equal(fresh.recheckAt, T0 + 4000)
  const stale = decideNode(n, T0, T0 + 4000, 4000)
  t.equal(stale.ready, 'Unknown')
  const rc = stale.conditions!.find((c) => c.type === 'Ready')!
  t.equal(rc.status, 'Unknown')
  t.equal(rc.reason, 'NodeStatusUnknown')
  t.same(stale.taints!.map((x) => `${x.key}:${x.effect}`), [`${TAINT_UNREACHABLE}:NoExecute`])
  t.equal(stale.taints![0]!.timeAdded, iso(T0 + 4000))
})

t.test('decide: kubelet-reported NotReady gets not-ready taint; Ready again drops it', async (t) => {
  const nr = decideNode(node('n1', { ready: 'False' }), T0, T0 + 10, 4000)
  t.same(nr.taints!.map((x) => x.key), [TAINT_NOT_READY])
  const back = decideNode(node('n1', { ready: 'True', taints: [{ key: TAINT_UNREACHABLE, effect: 'NoExecute' }, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), T0, T0 + 10, 4000)
  t.same(back.taints!.map((x) => x.key), ['dedicated'], 'only the lifecycle taint is removed')
  t.same(desiredTaints([{ key: TAINT_NOT_READY, effect: 'NoExecute' }], 'Unknown', iso(T0)).map((x) => x.key), [TAINT_UNREACHABLE], 'not-ready swapped for unreachable')
})

t.test('already Unknown: no new condition write', async (t) => {
  const n = node('n1', { ready: 'Unknown', taints: [{ key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(T0) }] })
  const d = decideNode(n, T0, T0 + 10_000, 4000)
  t.equal(d.conditions, undefined)
  t.equal(d.taints, undefined)
})

t.test('eviction time: default window, tolerationSeconds, forever, other NoExecute taints', async (t) => {
  const taint = [{ key: TAINT_UNREACHABLE, effect: 'NoExecute' as const, timeAdded: iso(T0) }]
  t.equal(evictionTime(pod('a'), taint, 2000, T0), T0 + 2000, 'no toleration: podEvictionTimeout')
  t.equal(evictionTime(pod('a', { tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] }), taint, 2000, T0), T0 + 30_000)
  t.equal(evictionTime(pod('a', { tolerations: [{ operator: 'Exists' }] }), taint, 2000, T0), Infinity, 'tolerates everything forever')
  t.equal(evictionTime(pod('a'), [{ key: 'custom', effect: 'NoExecute', timeAdded: iso(T0) }], 2000, T0), T0, 'untolerated custom NoExecute: now')
  t.equal(evictionTime(pod('a'), [{ key: 'custom', effect: 'NoSchedule' }], 2000, T0), Infinity, 'NoSchedule never evicts')
})

t.test('a node that never posted Ready: untouched for the grace period, then Unknown', async (t) => {
  const n = node('n1')
  const early = decideNode(n, T0, T0 + 1000, 4000)
  t.equal(early.conditions, undefined)
  t.equal(early.taints, undefined, 'no taint yet')
  t.equal(early.recheckAt, T0 + 4000)
  const late = decideNode(n, T0, T0 + 4000, 4000)
  t.equal(late.conditions?.find((c) => c.type === 'Ready')?.reason, 'NodeStatusNeverUpdated')
  t.same(late.taints?.map((x) => x.key), [TAINT_UNREACHABLE])
})
