import t from 'tap'
import { decideDependent, decideOwner, FOREGROUND, ORPHAN, type OwnerLookup } from '../../../actors/controller-manager/gc-core.ts'
import type { KObject, OwnerReference } from '../../../protocols/k8s.ts'

const ref = (uid: string, kind = 'ReplicaSet', block = true): OwnerReference => ({ apiVersion: 'apps/v1', kind, name: uid, uid, controller: true, blockOwnerDeletion: block })
const obj = (uid: string, o: { owners?: OwnerReference[]; deleting?: boolean; finalizers?: string[] } = {}): KObject => ({
  metadata: { name: uid, namespace: 'default', uid, ownerReferences: o.owners, finalizers: o.finalizers, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
})
const world = (...objs: KObject[]): OwnerLookup => (r) => (r.kind === 'Unwatched' ? 'unknown' : objs.find((o) => o.metadata.uid === r.uid) ?? 'absent')

t.test('dependents', async (t) => {
  const live = obj('rs1')
  const table: Array<[string, KObject, OwnerLookup, string]> = [
    ['no owners', obj('p'), world(), 'none'],
    ['owner present', obj('p', { owners: [ref('rs1')] }), world(live), 'none'],
    ['only owner gone: delete', obj('p', { owners: [ref('rs1')] }), world(), 'delete:Background'],
    ['one of two owners gone: drop the dangling ref', obj('p', { owners: [ref('rs1'), ref('rs2')] }), world(live), 'setOwners:rs1'],
    ['owner of an unwatched kind: keep', obj('p', { owners: [ref('x', 'Unwatched')] }), world(), 'none'],
    ['foreground-deleting owner: delete foreground', obj('p', { owners: [ref('rs1')] }), world(obj('rs1', { deleting: true, finalizers: [FOREGROUND] })), 'delete:Foreground'],
    ['orphaning owner: strip the ref', obj('p', { owners: [ref('rs1')] }), world(obj('rs1', { deleting: true, finalizers: [ORPHAN] })), 'setOwners:'],
    ['dependent already deleting: nothing', obj('p', { owners: [ref('rs1')], deleting: true }), world(), 'none'],
    ['foreground owner plus a live owner: keep', obj('p', { owners: [ref('rs1'), ref('rs2')] }), world(obj('rs1', { deleting: true, finalizers: [FOREGROUND] }), obj('rs2')), 'none'],
  ]
  for (const [name, o, lookup, want] of table) {
    const d = decideDependent(o, lookup)
    const got = d.type === 'delete' ? `delete:${d.propagation}` : d.type === 'setOwners' ? `setOwners:${d.ownerReferences.map((r) => r.uid).join(',')}` : d.type
    t.equal(got, want, name)
  }
})

t.test('owners with GC finalizers', async (t) => {
  const fg = obj('d', { deleting: true, finalizers: [FOREGROUND, 'other'] })
  t.same(decideOwner(fg, [obj('rs', { owners: [ref('d')] })]), { type: 'none' }, 'blocked by a dependent')
  t.same(decideOwner(fg, [obj('rs', { owners: [ref('d', 'ReplicaSet', false)] })]), { type: 'removeFinalizer', finalizer: FOREGROUND, finalizers: ['other'] }, 'non-blocking dependents do not wait')
  t.same(decideOwner(fg, []), { type: 'removeFinalizer', finalizer: FOREGROUND, finalizers: ['other'] })
  const orphan = obj('d', { deleting: true, finalizers: [ORPHAN] })
  t.same(decideOwner(orphan, [obj('rs', { owners: [ref('d')] })]), { type: 'none' })
  t.same(decideOwner(orphan, []), { type: 'removeFinalizer', finalizer: ORPHAN, finalizers: [] })
  t.same(decideOwner(obj('d', { finalizers: [FOREGROUND] }), []), { type: 'none' }, 'not deleting')
})
