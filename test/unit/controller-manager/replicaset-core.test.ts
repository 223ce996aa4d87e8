import t from 'tap'
import { decideReplicas, deletionRank, claimPods } from '../../../actors/controller-manager/replicaset-core.ts'
import type { ReplicatedSet } from '../../../actors/controller-manager/replicaset-core.ts'
import { slowStartBatches } from '../../../actors/controller-manager/pods.ts'
import { Expectations } from '../../../actors/controller-manager/expectations.ts'
import { pod, T0 } from './fixtures.ts'

const owner = { kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-rs' }
function set(replicas: number, extra: Partial<ReplicatedSet> = {}): ReplicatedSet {
  return {
    obj: { metadata: { name: 'web-abc', namespace: 'default', uid: 'uid-rs', generation: 4 } },
    apiVersion: 'apps/v1', kind: 'ReplicaSet', replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    minReadySeconds: 0,
    ...extra,
  }
}

t.test('create and delete to match replicas', async (t) => {
  const table: Array<{ name: string; replicas: number; pods: number; satisfied?: boolean; create: number; del: number }> = [
    { name: 'scale from zero', replicas: 3, pods: 0, create: 3, del: 0 },
    { name: 'steady', replicas: 3, pods: 3, create: 0, del: 0 },
    { name: 'one missing', replicas: 3, pods: 2, create: 1, del: 0 },
    { name: 'scale down', replicas: 1, pods: 3, create: 0, del: 2 },
    { name: 'expectations pending: no action', replicas: 3, pods: 0, satisfied: false, create: 0, del: 0 },
    { name: 'burst cap', replicas: 900, pods: 0, create: 500, del: 0 },
  ]
  for (const row of table) {
    const pods = Array.from({ length: row.pods }, (_, i) => pod(`p${i}`, { owner }))
    const d = decideReplicas(set(row.replicas), pods, row.satisfied ?? true, T0)
    t.equal(d.create, row.create, `${row.name}: create`)
    t.equal(d.delete.length, row.del, `${row.name}: delete`)
  }
})

t.test('adopt orphans that match, release owned pods that no longer match, ignore others', async (t) => {
  const pods = [
    pod('orphan', {}),
    pod('orphan-other-labels', { labels: { app: 'db' } }),
    pod('mine-relabelled', { owner, labels: { app: 'db' } }),
    pod('someone-elses', { owner: { kind: 'ReplicaSet', name: 'x', uid: 'uid-x' } }),
    pod('orphan-finished', { phase: 'Succeeded' }),
    pod('other-ns', { ns: 'kube-system' }),
  ]
  const c = claimPods(set(2), pods)
  t.same(c.adopt.map((p) => p.metadata.name), ['orphan'])
  t.same(c.release.map((p) => p.metadata.name), ['mine-relabelled'])
  t.same(c.owned.map((p) => p.metadata.name), ['orphan'])
  const d = decideReplicas(set(2), pods, true, T0)
  t.equal(d.create, 1, 'the adopted pod counts')
})

t.test('terminating and finished pods do not count', async (t) => {
  const pods = [pod('a', { owner }), pod('b', { owner, deleting: true }), pod('c', { owner, phase: 'Failed' })]
  const d = decideReplicas(set(3), pods, true, T0)
  t.equal(d.create, 2)
  t.equal(d.status.replicas, 1)
})

t.test('deletion prefers unscheduled, pending, not-ready, newer pods', async (t) => {
  const pods = [
    pod('ready-old', { owner, node: 'n1', ready: true, created: T0 }),
    pod('ready-new', { owner, node: 'n1', ready: true, created: T0 + 1000 }),
    pod('notready', { owner, node: 'n1', ready: false }),
    pod('pending', { owner, node: 'n1', phase: 'Pending' }),
    pod('unscheduled', { owner, phase: 'Pending' }),
  ]
  t.same([...pods].sort(deletionRank).map((p) => p.metadata.name), ['unscheduled', 'pending', 'notready', 'ready-new', 'ready-old'])
  const d = decideReplicas(set(2), pods, true, T0)
  t.same(d.delete.map((p) => p.metadata.name), ['unscheduled', 'pending', 'notready'])
})

t.test('status counts ready and available (minReadySeconds) and the generation', async (t) => {
  const pods = [
    pod('a', { owner, ready: true, readySince: T0 - 60_000 }),
    pod('b', { owner, ready: true, readySince: T0 - 1000 }),
    pod('c', { owner, ready: false }),
  ]
  const d = decideReplicas(set(3, { minReadySeconds: 10 }), pods, true, T0)
  t.same(d.status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 })
})

t.test('a set being deleted neither creates nor adopts', async (t) => {
  const s = set(3)
  s.obj.metadata.deletionTimestamp = new Date(T0).toISOString()
  const d = decideReplicas(s, [pod('orphan')], true, T0)
  t.equal(d.create, 0)
  t.equal(d.adopt.length, 0)
})

t.test('slow start batches', async (t) => {
  t.same(slowStartBatches(0), [])
  t.same(slowStartBatches(1), [1])
  t.same(slowStartBatches(10), [1, 2, 4, 3])
  t.same(slowStartBatches(20), [1, 2, 4, 8, 5])
})

t.test('expectations: a created pod not yet seen blocks a second create', async (t) => {
  const e = new Expectations(1000)
  t.ok(e.satisfied('k', 0))
  e.expect('k', 2, 0, 0)
  t.notOk(e.satisfied('k', 10))
  e.creationObserved('k')
  t.notOk(e.satisfied('k', 10))
  e.creationObserved('k')
  t.ok(e.satisfied('k', 10))
  e.expect('k', 0, 1, 0)
  t.notOk(e.satisfied('k', 500))
  t.ok(e.satisfied('k', 1001), 'expires')
  e.expect('k', 3, 0, 0)
  e.lower('k', 3, 0)
  t.ok(e.satisfied('k', 1))
})
