import t from 'tap'
import { decideStatefulSet, REVISION_LABEL, type StatefulAction } from '../../../actors/controller-manager/statefulset-core.ts'
import { podTemplateHash } from '../../../actors/controller-manager/hash.ts'
import type { StatefulSet } from '../../../actors/controller-manager/workload-types.ts'
import { pod } from './fixtures.ts'

function sts(replicas: number, o: { parallel?: boolean; claims?: boolean; image?: string } = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 2 },
    spec: {
      replicas, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } },
      podManagementPolicy: o.parallel ? 'Parallel' : undefined,
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: o.image ?? 'nginx:1' }] } },
      volumeClaimTemplates: o.claims ? [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] : undefined,
    },
  }
}
const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true }
const spod = (i: number, s: StatefulSet, o: { ready?: boolean; phase?: 'Pending' | 'Failed'; hash?: string } = {}) =>
  pod(`web-${i}`, { owner: { kind: 'StatefulSet', name: 'web', uid: 'uid-web' }, ready: o.ready ?? true, phase: o.phase, labels: { app: 'nginx', [REVISION_LABEL]: o.hash ?? podTemplateHash(s.spec.template) } })
const show = (as: StatefulAction[]) => as.map((a) => a.type === 'createPod' ? `+${a.pod.metadata.name}` : a.type === 'createClaim' ? `+pvc:${a.claim.metadata.name}` : `-${a.name}:${a.reason}`)

t.test('ordered creation: web-0 first, next only when the previous is Running and Ready', async (t) => {
  const s = sts(3, { claims: true })
  t.same(show(decideStatefulSet(s, [], new Set(), owner).actions), ['+pvc:www-web-0', '+web-0'])
  t.same(show(decideStatefulSet(s, [spod(0, s, { ready: false })], new Set(['www-web-0']), owner).actions), [], 'web-0 not ready: wait')
  const d = decideStatefulSet(s, [spod(0, s)], new Set(['www-web-0']), owner)
  t.same(show(d.actions), ['+pvc:www-web-1', '+web-1'])
  const p = (d.actions[1] as Extract<StatefulAction, { type: 'createPod' }>).pod
  t.equal(p.spec.hostname, 'web-1')
  t.equal(p.spec.subdomain, 'nginx')
  t.same(p.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }])
  t.equal(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1')
})

t.test('Parallel creates all at once', async (t) => {
  const s = sts(3, { parallel: true })
  t.same(show(decideStatefulSet(s, [], new Set(), owner).actions), ['+web-0', '+web-1', '+web-2'])
})

t.test('ordered scale-down from the highest ordinal, one at a time', async (t) => {
  const s = sts(1)
  const all = [spod(0, s), spod(1, s), spod(2, s)]
  t.same(show(decideStatefulSet(s, all, new Set(), owner).actions), ['-web-2:scale-down'])
  t.same(show(decideStatefulSet(s, [spod(0, s), spod(1, s, { ready: false })], new Set(), owner).actions), [], 'waits while a pod is unhealthy')
})

t.test('failed pods are replaced; outdated pods are updated from the highest ordinal', async (t) => {
  const s = sts(3)
  t.same(show(decideStatefulSet(s, [spod(0, s), spod(1, s, { phase: 'Failed' }), spod(2, s)], new Set(), owner).actions), ['-web-1:failed'])
  const s2 = sts(3, { image: 'nginx:2' })
  const old = podTemplateHash(s.spec.template)
  const d = decideStatefulSet(s2, [spod(0, s2, { hash: old }), spod(1, s2, { hash: old }), spod(2, s2, { hash: old })], new Set(), owner)
  t.same(show(d.actions), ['-web-2:update'])
  t.equal(d.status.updatedReplicas, 0)
  t.equal(d.status.observedGeneration, 2)
})
