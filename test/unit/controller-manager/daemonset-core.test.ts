import t from 'tap'
import { decideDaemonSet, nodeEligible, REVISION_LABEL } from '../../../actors/controller-manager/daemonset-core.ts'
import { podTemplateHash } from '../../../actors/controller-manager/hash.ts'
import type { DaemonSet } from '../../../actors/controller-manager/workload-types.ts'
import { node, pod, T0 } from './fixtures.ts'

function ds(spec: Partial<DaemonSet['spec']['template']['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system', uid: 'uid-agent', generation: 3 },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }], ...spec } } },
  }
}
const owner = { kind: 'DaemonSet', name: 'agent', uid: 'uid-agent' }
const dpod = (name: string, nodeName: string, d: DaemonSet, o: { ready?: boolean; phase?: 'Failed'; created?: number; hash?: string } = {}) =>
  pod(name, { owner, node: nodeName, ready: o.ready ?? true, phase: o.phase, created: o.created, ns: 'kube-system', labels: { app: 'agent', [REVISION_LABEL]: o.hash ?? podTemplateHash(d.spec.template) } })

t.test('eligibility: nodeSelector, required affinity, taints', async (t) => {
  t.ok(nodeEligible(ds(), node('n1')))
  t.notOk(nodeEligible(ds({ nodeSelector: { disk: 'ssd' } }), node('n1')))
  t.ok(nodeEligible(ds({ nodeSelector: { disk: 'ssd' } }), node('n1', { labels: { disk: 'ssd' } })))
  const aff = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } }
  t.notOk(nodeEligible(ds({ affinity: aff }), node('n1', { labels: { zone: 'b' } })))
  t.ok(nodeEligible(ds({ affinity: aff }), node('n1', { labels: { zone: 'a' } })))
  t.notOk(nodeEligible(ds(), node('n1', { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] })))
  t.ok(nodeEligible(ds({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }), node('n1', { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] })))
  t.ok(nodeEligible(ds(), node('n1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], unschedulable: true })), 'daemon tolerations')
})

t.test('one pod per eligible node; extras, failed and misplaced pods go', async (t) => {
  const d = ds({ nodeSelector: { role: 'worker' } })
  const nodes = [node('n1', { labels: { role: 'worker' } }), node('n2', { labels: { role: 'worker' } }), node('n3', { labels: { role: 'worker' } }), node('master')]
  const pods = [
    dpod('a', 'n1', d, { created: T0 }), dpod('a2', 'n1', d, { created: T0 + 1 }),
    dpod('b', 'n2', d, { phase: 'Failed' }),
    dpod('m', 'master', d),
    dpod('gone', 'n9', d),
  ]
  const dec = decideDaemonSet(d, nodes, pods, T0)
  t.same(dec.create.sort(), ['n2', 'n3'])
  t.same(dec.delete.map((p) => p.metadata.name).sort(), ['a2', 'b', 'gone', 'm'])
  t.same({ desired: dec.status.desiredNumberScheduled, current: dec.status.currentNumberScheduled, mis: dec.status.numberMisscheduled, ready: dec.status.numberReady, gen: dec.status.observedGeneration }, { desired: 3, current: 1, mis: 1, ready: 1, gen: 3 })
})

t.test('rolling update replaces outdated pods within maxUnavailable (default 1)', async (t) => {
  const d = ds()
  const nodes = [node('n1'), node('n2'), node('n3')]
  const old = 'oldhash'
  let dec = decideDaemonSet(d, nodes, [dpod('a', 'n1', d, { hash: old }), dpod('b', 'n2', d, { hash: old }), dpod('c', 'n3', d, { hash: old })], T0)
  t.equal(dec.delete.length, 1, 'one at a time')
  dec = decideDaemonSet(d, nodes, [dpod('b', 'n2', d, { hash: old }), dpod('c', 'n3', d, { hash: old })], T0)
  t.same(dec.create, ['n1'])
  t.equal(dec.delete.length, 0, 'n1 has no available pod: no further deletion')
  const od = ds()
  od.spec.updateStrategy = { type: 'OnDelete' }
  dec = decideDaemonSet(od, nodes, [dpod('a', 'n1', d, { hash: old }), dpod('b', 'n2', d, { hash: old }), dpod('c', 'n3', d, { hash: old })], T0)
  t.equal(dec.delete.length, 0, 'OnDelete leaves them')
})
