import t from 'tap'
import { decideNamespace } from '../../../actors/controller-manager/namespace-core.ts'
import { decideClaim, decideVolume, volumeFits } from '../../../actors/controller-manager/pv-binder-core.ts'
import { quantityOrNaN as parseQuantity } from '../../../protocols/quantity.ts'
import type { PersistentVolume, PersistentVolumeClaim } from '../../../actors/controller-manager/workload-types.ts'

t.test('namespace: delete content, then drop the kubernetes finalizer', async (t) => {
  const ns = (o: { deleting?: boolean; finalizers?: string[] }) => ({ metadata: { name: 'team', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) }, spec: { finalizers: o.finalizers ?? ['kubernetes'] } })
  t.same(decideNamespace(ns({}), 3), { type: 'none' }, 'active namespace untouched')
  t.same(decideNamespace(ns({ deleting: true }), 3), { type: 'deleteContent' })
  t.same(decideNamespace(ns({ deleting: true, finalizers: ['kubernetes', 'x'] }), 0), { type: 'finalize', finalizers: ['x'] })
  t.same(decideNamespace(ns({ deleting: true, finalizers: [] }), 0), { type: 'none' })
})

t.test('quantities', async (t) => {
  t.equal(parseQuantity('1Gi'), 1024 ** 3)
  t.equal(parseQuantity('500Mi'), 500 * 1024 ** 2)
  t.equal(parseQuantity('2G'), 2e9)
  t.equal(parseQuantity('100m'), 0.1)
  t.ok(Number.isNaN(parseQuantity('lots')))
})

const pvc = (o: Partial<PersistentVolumeClaim['spec']> = {}, meta: Record<string, unknown> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'uid-data', ...meta },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', ...o },
})
const pv = (name: string, size: string, o: Partial<PersistentVolume['spec']> = {}, phase: 'Available' | 'Bound' | 'Released' = 'Available'): PersistentVolume => ({
  metadata: { name }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], storageClassName: 'standard', ...o }, status: { phase },
})

t.test('binding: smallest fitting volume, by capacity, modes and class', async (t) => {
  const vols = [pv('big', '10Gi'), pv('small', '2Gi'), pv('tiny', '500Mi'), pv('other-class', '1Gi', { storageClassName: 'fast' }), pv('rwx', '1Gi', { accessModes: ['ReadWriteMany'] })]
  t.same(decideClaim(pvc(), vols), { type: 'bind', volume: 'small' })
  t.notOk(volumeFits(pv('tiny', '500Mi'), pvc()))
  t.notOk(volumeFits(pv('x', '1Gi', { claimRef: { namespace: 'default', name: 'other', uid: 'u' } }), pvc()), 'claimed by another')
  t.same(decideClaim(pvc({ storageClassName: 'fast' }), vols), { type: 'bind', volume: 'other-class' })
})

t.test('no match: the local provisioner makes a pre-bound volume', async (t) => {
  const d = decideClaim(pvc({ resources: { requests: { storage: '50Gi' } } }), [pv('small', '2Gi')])
  if (d.type !== 'provision') return t.fail(`got ${d.type}`)
  t.equal(d.volume.metadata.name, 'pvc-uid-data')
  t.same(d.volume.spec.capacity, { storage: '50Gi' })
  t.equal(d.volume.spec.claimRef?.uid, 'uid-data')
  t.equal(d.volume.spec.persistentVolumeReclaimPolicy, 'Delete')
  t.equal(d.volume.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'actorkube.io/local')
  // Once that volume exists, the claim binds to it.
  t.same(decideClaim(pvc({ resources: { requests: { storage: '50Gi' } } }), [d.volume]), { type: 'bind', volume: 'pvc-uid-data' })
})

t.test('volumes: bound, released, deleted by reclaim policy', async (t) => {
  const claimRef = { namespace: 'default', name: 'data', uid: 'uid-data' }
  const bound = pvc({ volumeName: 'v' })
  t.same(decideVolume(pv('v', '1Gi', { claimRef }), bound), { type: 'phase', phase: 'Bound' })
  t.same(decideVolume(pv('v', '1Gi', { claimRef }, 'Bound'), bound), { type: 'none' })
  t.same(decideVolume(pv('v', '1Gi', { claimRef, persistentVolumeReclaimPolicy: 'Retain' }, 'Bound'), undefined), { type: 'phase', phase: 'Released' })
  t.same(decideVolume(pv('v', '1Gi', { claimRef, persistentVolumeReclaimPolicy: 'Delete' }, 'Bound'), undefined), { type: 'delete' })
  t.same(decideVolume(pv('v', '1Gi', {}, 'Released'), undefined), { type: 'phase', phase: 'Available' })
})
