import t from 'tap'
import type { KObject } from '../../../protocols/k8s.ts'
import { ApiError } from '../../../actors/apiserver/errors.ts'
import { displayPath, fieldsOf, fromFieldsV1, recordWrite, serverSideApply, toFieldsV1, type ManagedFieldsEntry } from '../../../actors/apiserver/patch/managed-fields.ts'

const who = { kind: 'deployments', group: 'apps', name: 'web' }
const T1 = '2026-01-01T00:00:00Z'
const T2 = '2026-01-01T00:01:00Z'

function config(replicas: number, containers: Array<{ name: string; image: string }>, labels: Record<string, string> = { app: 'web' }): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } },
  }
}

function live(): KObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5' }, spec: {}, status: { replicas: 0 } } as KObject
}

const entries = (o: KObject) => (o.metadata.managedFields ?? []) as ManagedFieldsEntry[]
const spec = (o: KObject) => o.spec as { replicas: number; template: { spec: { containers: Array<{ name: string; image: string }> } } }

t.test('field sets in the FieldsV1 format', async (t) => {
  const o = { ...live(), ...config(2, [{ name: 'nginx', image: 'nginx:1' }]) } as unknown as KObject
  const v1 = toFieldsV1(fieldsOf(o))
  t.same(v1, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': { 'f:matchLabels': { 'f:app': {} } },
      'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
    },
  }, 'status, name, namespace, uid and resourceVersion belong to nobody; containers are keyed by name')
  t.same(fromFieldsV1(v1), fieldsOf(o), 'the format reads back into the same set')
  t.equal(displayPath([...fieldsOf(o)].find((p) => p.endsWith('f:image'))!), '.spec.template.spec.containers[name="nginx"].image')
  const fin = fieldsOf({ metadata: { finalizers: ['a/b'] }, spec: { command: ['sh', '-c'] } })
  t.same(toFieldsV1(fin), { 'f:metadata': { 'f:finalizers': { 'v:"a/b"': {} } }, 'f:spec': { 'f:command': {} } }, 'set lists by value, other lists atomic')
})

t.test('apply, a conflicting update by another manager, conflict, force', async (t) => {
  const a1 = serverSideApply(live(), config(3, [{ name: 'nginx', image: 'nginx:1' }]), { manager: 'kubectl', force: false, time: T1, who })
  t.same(entries(a1).map((e) => [e.manager, e.operation, e.time]), [['kubectl', 'Apply', T1]])
  t.equal(spec(a1).replicas, 3)
  t.same(a1.status, { replicas: 0 }, 'status untouched')

  const scaled = structuredClone(a1)
  spec(scaled).replicas = 5
  recordWrite(a1, scaled, { manager: 'kubectl-scale', operation: 'Update', subresource: 'scale', time: T2 })
  const scaleEntry = entries(scaled).find((e) => e.manager === 'kubectl-scale')!
  t.same(scaleEntry.fieldsV1, { 'f:spec': { 'f:replicas': {} } }, 'the writer owns the field it changed')
  t.equal(scaleEntry.subresource, 'scale')
  t.notOk(fromFieldsV1(entries(scaled).find((e) => e.manager === 'kubectl')!.fieldsV1).has(['f:spec', 'f:replicas'].join('\u0001')), 'and the applier lost it')

  let err: unknown
  try {
    serverSideApply(scaled, config(3, [{ name: 'nginx', image: 'nginx:1' }]), { manager: 'kubectl', force: false, time: T2, who })
  } catch (e) { err = e }
  t.ok(err instanceof ApiError, 'a conflicting apply is refused')
  const st = (err as ApiError).status
  t.equal(st.code, 409)
  t.equal(st.reason, 'Conflict')
  t.equal(st.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale": .spec.replicas')
  t.same(st.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale"', field: '.spec.replicas' }])

  const same = serverSideApply(scaled, config(5, [{ name: 'nginx', image: 'nginx:1' }]), { manager: 'kubectl', force: false, time: T2, who })
  t.equal(spec(same).replicas, 5, 'applying the value already there is no conflict')
  t.ok(entries(same).find((e) => e.manager === 'kubectl-scale'), 'and the field is shared')

  const forced = serverSideApply(scaled, config(3, [{ name: 'nginx', image: 'nginx:1' }]), { manager: 'kubectl', force: true, time: T2, who })
  t.equal(spec(forced).replicas, 3, 'a forced apply wins')
  t.same(entries(forced).map((e) => e.manager), ['kubectl'], 'the loser, left with nothing, has no entry')
})

t.test('fields an applier stops applying are removed unless someone else owns them', async (t) => {
  const two = serverSideApply(live(), config(1, [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], { app: 'web', tier: 'front' }), { manager: 'm1', force: false, time: T1, who })
  const one = serverSideApply(two, config(1, [{ name: 'a', image: 'x' }], { app: 'web' }), { manager: 'm1', force: false, time: T2, who })
  t.same(spec(one).template.spec.containers.map((c) => c.name), ['a'], 'the container no longer applied is gone')
  t.same(one.metadata.labels, { app: 'web' }, 'and so is the label')

  const shared = serverSideApply(two, config(1, [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], { app: 'web', tier: 'front' }), { manager: 'm2', force: false, time: T1, who })
  const kept = serverSideApply(shared, config(1, [{ name: 'a', image: 'x' }], { app: 'web' }), { manager: 'm1', force: false, time: T2, who })
  t.same(spec(kept).template.spec.containers.map((c) => c.name), ['a', 'b'], 'a container another applier also owns stays')
  t.same(kept.metadata.labels, { app: 'web', tier: 'front' })
})

t.test('a no-op apply changes nothing; writes that remove fields free them', async (t) => {
  const a1 = serverSideApply(live(), config(2, [{ name: 'n', image: 'i' }]), { manager: 'kubectl', force: false, time: T1, who })
  const again = serverSideApply(a1, config(2, [{ name: 'n', image: 'i' }]), { manager: 'kubectl', force: false, time: T2, who })
  t.same(again, a1, 'same object, same timestamps: nothing to write')

  const edited = structuredClone(a1)
  delete (edited.metadata.labels as Record<string, string>).app
  recordWrite(a1, edited, { manager: 'kubectl-edit', operation: 'Update', time: T2 })
  t.notOk(entries(edited).some((e) => fromFieldsV1(e.fieldsV1).has(['f:metadata', 'f:labels', 'f:app'].join('\u0001'))), 'a removed field belongs to nobody')
  t.ok(fromFieldsV1(entries(edited)[0]!.fieldsV1).has(['f:spec', 'f:replicas'].join('\u0001')), 'the rest stays with its owner')
  t.notOk(entries(edited).some((e) => e.manager === 'kubectl-edit'), 'a write that only removes owns nothing')

  const created = { ...live(), ...config(1, [{ name: 'n', image: 'i' }]) } as unknown as KObject
  recordWrite(undefined, created, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T1 })
  t.same(entries(created).map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType]), [['kubectl-create', 'Update', 'apps/v1', 'FieldsV1']])
})
