import t from 'tap'
import { applyPatch } from '../../../actors/apiserver/patch/index.ts'
import { ApiError } from '../../../actors/apiserver/errors.ts'

function throwsWhere(fn: () => unknown, ok: (e: unknown) => boolean): boolean {
  try {
    fn()
  } catch (e) {
    return ok(e)
  }
  return false
}


const pod = () => ({
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }, { containerPort: 81 }] },
      { name: 'side', image: 'side:1' },
    ],
    tolerations: [{ key: 'k1', operator: 'Exists' }],
  },
  status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] },
})

t.test('JSON merge patch (RFC 7386)', async (t) => {
  const table: Array<[string, unknown, (r: any) => unknown, unknown]> = [
    ['adds and replaces', { metadata: { labels: { b: '3', c: '4' } } }, (r) => r.metadata.labels, { a: '1', b: '3', c: '4' }],
    ['null deletes', { metadata: { labels: { a: null } } }, (r) => r.metadata.labels, { b: '2' }],
    ['lists replace wholesale', { spec: { containers: [{ name: 'only', image: 'i' }] } }, (r) => r.spec.containers, [{ name: 'only', image: 'i' }]],
  ]
  for (const [name, patch, pick, want] of table) t.same(pick(applyPatch('merge', pod(), patch)), want, name)
  t.throws(() => applyPatch('merge', pod(), [1]), ApiError)
})

t.test('JSON patch (RFC 6902)', async (t) => {
  const r = applyPatch('json', pod(), [
    { op: 'replace', path: '/spec/containers/0/image', value: 'app:2' },
    { op: 'add', path: '/metadata/labels/c', value: '3' },
    { op: 'remove', path: '/metadata/labels/a' },
    { op: 'add', path: '/spec/containers/-', value: { name: 'z', image: 'z' } },
    { op: 'test', path: '/metadata/name', value: 'p' },
  ]) as any
  t.equal(r.spec.containers[0].image, 'app:2')
  t.same(r.metadata.labels, { b: '2', c: '3' })
  t.equal(r.spec.containers.length, 3)
  t.ok(throwsWhere(() => applyPatch('json', pod(), [{ op: 'test', path: '/metadata/name', value: 'q' }]), (e: unknown) => e instanceof ApiError && e.status.code === 422), 'failed test')
  t.throws(() => applyPatch('json', pod(), [{ op: 'remove', path: '/nope/x' }]), ApiError, 'bad path')
  t.ok(throwsWhere(() => applyPatch('json', pod(), { op: 'add' }), (e: unknown) => e instanceof ApiError && e.status.code === 400), 'not an array')
  t.ok(throwsWhere(() => applyPatch('json', pod(), [{ op: 'frob', path: '/a' }]), (e: unknown) => e instanceof ApiError && e.status.code === 400), 'unknown op')
})

t.test('strategic merge patch', async (t) => {
  const table: Array<[string, unknown, (r: any) => unknown, unknown]> = [
    ['containers merge by name', { spec: { containers: [{ name: 'app', image: 'app:2' }] } }, (r) => r.spec.containers.map((c: any) => `${c.name}=${c.image}`), ['app=app:2', 'side=side:1']],
    ['new container appended', { spec: { containers: [{ name: 'new', image: 'n' }] } }, (r) => r.spec.containers.map((c: any) => c.name), ['app', 'side', 'new']],
    ['env merges by name', { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '9' }, { name: 'C', value: '3' }] }] } }, (r) => r.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '9' }, { name: 'C', value: '3' }]],
    ['ports merge by containerPort', { spec: { containers: [{ name: 'app', ports: [{ containerPort: 81, name: 'alt' }] }] } }, (r) => r.spec.containers[0].ports, [{ containerPort: 80 }, { containerPort: 81, name: 'alt' }]],
    ['$patch: delete removes an element', { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }, (r) => r.spec.containers.map((c: any) => c.name), ['app']],
    ['$patch: replace replaces the list', { spec: { containers: [{ $patch: 'replace' }, { name: 'solo', image: 's' }] } }, (r) => r.spec.containers, [{ name: 'solo', image: 's' }]],
    ['$patch: replace on a map', { metadata: { labels: { $patch: 'replace', z: '1' } } }, (r) => r.metadata.labels, { z: '1' }],
    ['conditions by type', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, (r) => r.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]],
    ['tolerations by key', { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }] } }, (r) => r.spec.tolerations.map((x: any) => x.key), ['k1', 'k2']],
    ['finalizers merge as a set', { metadata: { finalizers: ['x', 'y'] } }, (r) => r.metadata.finalizers, ['x', 'y']],
    ['$deleteFromPrimitiveList', { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, (r) => r.metadata.finalizers, []],
    ['null deletes', { metadata: { labels: { a: null } } }, (r) => r.metadata.labels, { b: '2' }],
    ['$setElementOrder', { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }], containers: [{ name: 'app', image: 'app:3' }] } }, (r) => r.spec.containers.map((c: any) => `${c.name}=${c.image}`), ['side=side:1', 'app=app:3']],
    ['$retainKeys', { spec: { $retainKeys: ['containers'], containers: [{ name: 'app' }] } }, (r) => Object.keys(r.spec), ['containers']],
  ]
  for (const [name, patch, pick, want] of table) t.same(pick(applyPatch('strategic', pod(), patch)), want, name)
})

t.test('apply merges into the live object and keeps what it leaves out', async (t) => {
  const r = applyPatch('apply', pod(), { metadata: { name: 'p', labels: { c: '3' } }, spec: { containers: [{ name: 'app', image: 'app:5' }] } }) as any
  t.same(r.metadata.labels, { a: '1', b: '2', c: '3' })
  t.equal(r.spec.containers[0].image, 'app:5')
  t.equal(r.spec.containers[1].name, 'side')
})
