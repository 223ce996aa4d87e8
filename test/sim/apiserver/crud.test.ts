import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import type { KObject, Status } from '../../../protocols/k8s.ts'
import { call, cluster, core, pod } from './setup.ts'

const seed = testSeed(11)

t.test('create/get/list/update/delete with resourceVersions, conflicts and namespaces', async (t) => {
  t.comment(`seed ${seed}`)
  const { sim } = await cluster(seed)
  const c = sim.client('client-a')
  const A = 'apiserver-0'
  const nsList = await call(sim, c, A, { type: 'api.list', ...core('namespaces') })
  t.same(((nsList.body as unknown as { items: KObject[] }).items).map((n) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system'])

  const created = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod('web-1') })
  t.equal(created.code, 201)
  const p = created.body as KObject
  t.ok(p.metadata.uid)
  t.equal(p.metadata.generation, 1)
  t.match(p.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  t.equal((p.spec as { restartPolicy: string }).restartPolicy, 'Always')

  const dup = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod('web-1') })
  t.equal(dup.code, 409)
  t.equal((dup.body as Status).reason, 'AlreadyExists')

  const missingNs = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'nope', body: pod('x', 'nope') })
  t.equal(missingNs.code, 404)

  const got = await call(sim, c, A, { type: 'api.get', ...core('pods'), namespace: 'default', name: 'web-1' })
  t.equal((got.body as KObject).metadata.resourceVersion, p.metadata.resourceVersion)

  const upd = structuredClone(got.body as KObject)
  upd.metadata.labels = { app: 'web', tier: 'front' }
  const u1 = await call(sim, c, A, { type: 'api.update', ...core('pods'), namespace: 'default', name: 'web-1', body: upd })
  t.equal(u1.code, 200)
  t.ok(Number((u1.body as KObject).metadata.resourceVersion) > Number(p.metadata.resourceVersion))
  t.equal((u1.body as KObject).metadata.generation, 1, 'metadata change does not bump generation')
  const stale = await call(sim, c, A, { type: 'api.update', ...core('pods'), namespace: 'default', name: 'web-1', body: upd })
  t.equal(stale.code, 409, 'stale resourceVersion conflicts')
  t.equal((stale.body as Status).reason, 'Conflict')

  const gen = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } } })
  t.match((gen.body as KObject).metadata.name, /^web-[a-z0-9]{5}$/)

  const sel = await call(sim, c, A, { type: 'api.list', ...core('pods'), namespace: 'default', labelSelector: 'tier in (front)' })
  t.same((sel.body as unknown as { items: KObject[] }).items.map((x) => x.metadata.name), ['web-1'])
  const bad = await call(sim, c, A, { type: 'api.list', ...core('pods'), labelSelector: 'a in (b' })
  t.equal(bad.code, 400)

  // unbound pod: deleted at once
  const del = await call(sim, c, A, { type: 'api.delete', ...core('pods'), namespace: 'default', name: 'web-1' })
  t.equal(del.code, 200)
  const gone = await call(sim, c, A, { type: 'api.get', ...core('pods'), namespace: 'default', name: 'web-1' })
  t.equal(gone.code, 404)
})

t.test('graceful pod deletion, binding, finalizers, status subresource, generation', async (t) => {
  const { sim } = await cluster(seed + 1)
  const c = sim.client('client-a')
  const A = 'apiserver-0'
  await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: pod('p1') })
  const b = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', name: 'p1', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'node-1' } } as unknown as KObject })
  t.equal(b.code, 201)
  const b2 = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', name: 'p1', subresource: 'binding', body: { metadata: { name: 'p1' }, target: { name: 'node-2' } } as unknown as KObject })
  t.equal(b2.code, 409, 'already bound')
  const st = await call(sim, c, A, { type: 'api.update', ...core('pods'), namespace: 'default', name: 'p1', subresource: 'status', body: { ...pod('p1'), spec: { containers: [] }, status: { phase: 'Running' } } as KObject })
  t.equal(st.code, 200)
  t.equal(((st.body as KObject).status as { phase: string }).phase, 'Running')
  t.equal(((st.body as KObject).spec as { nodeName: string }).nodeName, 'node-1', 'status update ignores spec')

  const d1 = await call(sim, c, A, { type: 'api.delete', ...core('pods'), namespace: 'default', name: 'p1' })
  t.equal(d1.code, 200)
  t.ok((d1.body as KObject).metadata.deletionTimestamp, 'bound pod gets deletionTimestamp')
  t.equal((d1.body as KObject).metadata.deletionGracePeriodSeconds, 30)
  const still = await call(sim, c, A, { type: 'api.get', ...core('pods'), namespace: 'default', name: 'p1' })
  t.equal(still.code, 200, 'pod kept until kubelet confirms')
  await call(sim, c, A, { type: 'api.delete', ...core('pods'), namespace: 'default', name: 'p1', options: { gracePeriodSeconds: 0 } })
  t.equal((await call(sim, c, A, { type: 'api.get', ...core('pods'), namespace: 'default', name: 'p1' })).code, 404)

  // finalizers
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', finalizers: ['example.com/x'] }, data: { a: '1' } }
  await call(sim, c, A, { type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm })
  const fd = await call(sim, c, A, { type: 'api.delete', ...core('configmaps'), namespace: 'default', name: 'cm' })
  t.ok((fd.body as KObject).metadata.deletionTimestamp)
  const rm = await call(sim, c, A, { type: 'api.patch', ...core('configmaps'), namespace: 'default', name: 'cm', patchType: 'merge', patch: { metadata: { finalizers: null } } })
  t.equal(rm.code, 200)
  t.equal((await call(sim, c, A, { type: 'api.get', ...core('configmaps'), namespace: 'default', name: 'cm' })).code, 404, 'removing the last finalizer deletes')

  // generation on spec change only; scale subresource
  const apps = { group: 'apps', version: 'v1', resource: 'deployments' }
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }
  const dc = await call(sim, c, A, { type: 'api.create', ...apps, namespace: 'default', body: { ...dep, status: { replicas: 9 } } })
  t.equal(((dc.body as KObject).status as { replicas?: number } | undefined)?.replicas, undefined, 'create ignores status')
  const ds = (dc.body as KObject).spec as Record<string, any>
  t.same(ds.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } })
  t.equal(ds.revisionHistoryLimit, 10)
  t.equal(ds.progressDeadlineSeconds, 600)
  const sc = await call(sim, c, A, { type: 'api.patch', ...apps, namespace: 'default', name: 'd', subresource: 'scale', patchType: 'merge', patch: { spec: { replicas: 5 } } })
  t.equal(sc.code, 200)
  t.equal((sc.body as KObject).kind, 'Scale')
  const dg = await call(sim, c, A, { type: 'api.get', ...apps, namespace: 'default', name: 'd' })
  t.equal(((dg.body as KObject).spec as { replicas: number }).replicas, 5)
  t.equal((dg.body as KObject).metadata.generation, 2)
  const ds2 = await call(sim, c, A, { type: 'api.patch', ...apps, namespace: 'default', name: 'd', subresource: 'status', patchType: 'merge', patch: { status: { replicas: 5 } } })
  t.equal((ds2.body as KObject).metadata.generation, 2, 'status change does not bump generation')

  // strict field validation and 422 naming the field
  const strict = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', fieldValidation: 'Strict', body: { ...pod('s'), spec: { containers: [{ name: 'c', image: 'x', imagee: 'y' }] } } })
  t.equal(strict.code, 400)
  t.match((strict.body as Status).message, /spec\.containers\[0\]\.imagee/)
  const inv = await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: { ...pod('Bad_Name') } })
  t.equal(inv.code, 422)
  t.equal((inv.body as Status).details?.causes?.[0]?.field, 'metadata.name')

  // foreground propagation sets the finalizer
  const fg = await call(sim, c, A, { type: 'api.delete', ...apps, namespace: 'default', name: 'd', options: { propagationPolicy: 'Foreground' } })
  t.same((fg.body as KObject).metadata.finalizers, ['foregroundDeletion'])
})

t.test('namespaces: terminating refuses new content', async (t) => {
  const { sim } = await cluster(seed + 2)
  const c = sim.client('client-a')
  const A = 'apiserver-0'
  await call(sim, c, A, { type: 'api.create', ...core('namespaces'), body: { metadata: { name: 'team' } } })
  const d = await call(sim, c, A, { type: 'api.delete', ...core('namespaces'), name: 'team' })
  t.equal(((d.body as KObject).status as { phase: string }).phase, 'Terminating')
  const r = await call(sim, c, A, { type: 'api.create', ...core('configmaps'), namespace: 'team', body: { metadata: { name: 'x' } } })
  t.equal(r.code, 403)
  const f = await call(sim, c, A, { type: 'api.update', ...core('namespaces'), name: 'team', subresource: 'finalize', body: { metadata: { name: 'team' }, spec: { finalizers: [] } } })
  t.equal(f.code, 200)
  t.equal((await call(sim, c, A, { type: 'api.get', ...core('namespaces'), name: 'team' })).code, 404, 'gone once finalized')
})

t.test('events go to their own shard; deletecollection; pods/log asks the kubelet', async (t) => {
  const { sim, main, events } = await cluster(seed + 3)
  const c = sim.client('client-a')
  const A = 'apiserver-0'
  const ev = await call(sim, c, A, { type: 'api.create', ...core('events'), namespace: 'default', body: { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'hi' } })
  t.equal(ev.code, 201)
  if (process.env.APISERVER_ETCD !== 'real') {
    t.equal(events.rangeAt('/registry/events/default/e1', undefined, false, 0).length, 1, 'stored in the events shard')
    t.equal(main.rangeAt('/registry/events/', undefined, true, 0).length, 0, 'not in main')
  }
  const evs = await call(sim, c, A, { type: 'api.list', ...core('events'), fieldSelector: 'involvedObject.name=p,reason=Started' })
  t.equal((evs.body as unknown as { items: KObject[] }).items.length, 1)

  for (const n of ['a', 'b', 'c']) await call(sim, c, A, { type: 'api.create', ...core('configmaps'), namespace: 'default', body: { metadata: { name: n, labels: { drop: n === 'c' ? 'no' : 'yes' } } } })
  const dc = await call(sim, c, A, { type: 'api.deletecollection', ...core('configmaps'), namespace: 'default', labelSelector: 'drop=yes' })
  t.equal(dc.code, 200)
  const left = await call(sim, c, A, { type: 'api.list', ...core('configmaps'), namespace: 'default' })
  t.same((left.body as unknown as { items: KObject[] }).items.map((x) => x.metadata.name), ['c'])

  // paging
  const p1 = await call(sim, c, A, { type: 'api.list', ...core('namespaces'), limit: 3 })
  const l1 = p1.body as unknown as { items: KObject[]; metadata: { continue?: string } }
  t.equal(l1.items.length, 3)
  t.ok(l1.metadata.continue)
  const p2 = await call(sim, c, A, { type: 'api.list', ...core('namespaces'), limit: 3, continue: l1.metadata.continue })
  t.equal((p2.body as unknown as { items: KObject[] }).items.length, 1)

  const asked: unknown[] = []
  sim.spawn('kubelet@node-1', (ctx) => ({
    receive(msg, meta) {
      asked.push(msg)
      ctx.reply(meta, { type: 'kubelet.logs.reply', lines: ['hello', 'world'] } as never)
    },
  }))
  await call(sim, c, A, { type: 'api.create', ...core('pods'), namespace: 'default', body: { ...pod('lp'), spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'i' }] } } })
  const log = await call(sim, c, A, { type: 'api.get', ...core('pods'), namespace: 'default', name: 'lp', subresource: 'log' })
  t.equal(log.code, 200)
  t.same((log.body as unknown as { lines: string[] }).lines, ['hello', 'world'])
  t.match(asked[0], { type: 'kubelet.logs', namespace: 'default', pod: 'lp', container: 'c' })
})
