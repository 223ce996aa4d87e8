import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import type { Ctx } from '../../../runtime/actor.ts'
import type { ApiReply, ApiRequest } from '../../../protocols/api.ts'
import type { KObject, Status } from '../../../protocols/k8s.ts'
import { call, cluster, core } from './setup.ts'
import { ipKey } from '../../../actors/apiserver/clusterip.ts'

const seed = testSeed(31)

t.test('two API servers, conflicting writers: exactly one write wins per resourceVersion', async (t) => {
  t.comment(`seed ${seed}`)
  const { sim } = await cluster(seed, 2)
  const c0 = sim.client('client-setup')
  await call(sim, c0, 'apiserver-0', { type: 'api.create', ...core('configmaps'), namespace: 'default', body: { metadata: { name: 'counter' }, data: { n: '0' } } })
  const wins: Array<{ base: string; by: string }> = []
  let conflicts = 0
  const writers: Array<{ ctx: Ctx; api: string }> = []
  for (let i = 0; i < 4; i++) writers.push({ ctx: sim.client(`client-w${i}`), api: `apiserver-${i % 2}` })
  let running = 0
  for (const w of writers) {
    running++
    void (async () => {
      for (let k = 0; k < 8; k++) {
        const g = await w.ctx.ask<ApiReply>(w.api, { type: 'api.get', ...core('configmaps'), namespace: 'default', name: 'counter' } as ApiRequest, { timeoutMs: 5000 })
        const o = g.body as KObject
        const n = Number((o as unknown as { data: { n: string } }).data.n)
        const next = { ...o, data: { n: String(n + 1) } }
        const u = await w.ctx.ask<ApiReply>(w.api, { type: 'api.update', ...core('configmaps'), namespace: 'default', name: 'counter', body: next } as ApiRequest, { timeoutMs: 5000 })
        if (u.code === 200) wins.push({ base: o.metadata.resourceVersion!, by: w.ctx.self })
        else if (u.code === 409) conflicts++
        else throw new Error(`unexpected ${u.code}`)
        await w.ctx.sleep(Math.floor(w.ctx.random() * 3))
      }
      running--
    })()
  }
  await sim.runUntil(() => running === 0, 60_000)
  t.equal(running, 0)
  const bases = wins.map((w) => w.base)
  t.equal(new Set(bases).size, bases.length, 'no resourceVersion accepted two writes')
  t.ok(conflicts > 0, 'writers did conflict')
  const final = await call(sim, c0, 'apiserver-1', { type: 'api.get', ...core('configmaps'), namespace: 'default', name: 'counter' })
  t.equal((final.body as unknown as { data: { n: string } }).data.n, String(wins.length), 'no lost update')
})

t.test('ClusterIPs: unique across two API servers and a restart, released on delete, refused when taken', async (t) => {
  const { sim, main } = await cluster(seed + 1, 2)
  const c = sim.client('client-svc')
  const svc = (name: string, ip?: string) => ({ metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...(ip ? { clusterIP: ip } : {}) } })
  const replies: ApiReply[] = []
  let pending = 0
  const fire = (i: number) => {
    pending++
    c.ask<ApiReply>(`apiserver-${i % 2}`, { type: 'api.create', ...core('services'), namespace: 'default', body: svc(`s${i}`) } as ApiRequest, { timeoutMs: 5000 })
      .then((r) => { replies.push(r); pending-- })
  }
  for (let i = 0; i < 30; i++) fire(i)
  await sim.runUntil(() => pending === 0, 30_000)
  sim.crash('apiserver-0')
  sim.restart('apiserver-0')
  await sim.runUntil(() => sim.reports.get('apiserver-0')?.ready === true, 10_000)
  for (let i = 30; i < 40; i++) fire(i)
  await sim.runUntil(() => pending === 0, 30_000)
  t.ok(replies.every((r) => r.code === 201), 'all created')
  const ips = replies.map((r) => ((r.body as KObject).spec as { clusterIP: string }).clusterIP)
  t.equal(new Set(ips).size, 40, 'no IP handed out twice')
  t.ok(ips.every((ip) => ip.startsWith('127.96.')), 'from the service CIDR')
  const spec0 = (replies[0]!.body as KObject).spec as Record<string, unknown>
  t.equal(spec0.type, 'ClusterIP')
  t.equal(spec0.sessionAffinity, 'None')
  t.same(spec0.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }])

  const taken = await call(sim, c, 'apiserver-1', { type: 'api.create', ...core('services'), namespace: 'default', body: svc('dup', ips[3]) })
  t.equal(taken.code, 422)
  t.match((taken.body as Status).message, /already allocated/)
  const outside = await call(sim, c, 'apiserver-1', { type: 'api.create', ...core('services'), namespace: 'default', body: svc('far', '10.0.0.5') })
  t.equal(outside.code, 422)
  t.equal((outside.body as Status).details?.causes?.[0]?.field, 'spec.clusterIPs')

  const name = (replies[3]!.body as KObject).metadata.name!
  await call(sim, c, 'apiserver-0', { type: 'api.delete', ...core('services'), namespace: 'default', name })
  if (process.env.APISERVER_ETCD !== 'real') t.equal(main.rangeAt(ipKey(ips[3]!), undefined, false, 0).length, 0, 'IP released')
  const reuse = await call(sim, c, 'apiserver-1', { type: 'api.create', ...core('services'), namespace: 'default', body: svc('again', ips[3]) })
  t.equal(reuse.code, 201, 'released IP can be requested again')
  const ch = await call(sim, c, 'apiserver-1', { type: 'api.patch', ...core('services'), namespace: 'default', name: 'again', patchType: 'merge', patch: { spec: { clusterIP: '127.96.9.9' } } })
  t.equal(ch.code, 422, 'clusterIP is immutable')
})

t.test('the kubernetes Service holds the range\'s first address and its Endpoints name the API', async (t) => {
  const { sim } = await cluster(seed + 7, 2)
  const c = sim.client('client-k')
  const svc = await call(sim, c, 'apiserver-1', { type: 'api.get', ...core('services'), namespace: 'default', name: 'kubernetes' })
  t.equal(svc.code, 200)
  const spec = (svc.body as KObject).spec as { clusterIP: string; ports: Array<{ name: string; port: number; targetPort: number }> }
  t.equal(spec.clusterIP, '127.96.0.1')
  t.same(spec.ports.map((p) => [p.name, p.port, p.targetPort]), [['https', 443, 6443]])
  const ep = await call(sim, c, 'apiserver-0', { type: 'api.get', ...core('endpoints'), namespace: 'default', name: 'kubernetes' })
  t.same((ep.body as unknown as { subsets: unknown }).subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }])
  const taken = await call(sim, c, 'apiserver-0', { type: 'api.create', ...core('services'), namespace: 'default', body: { metadata: { name: 'other' }, spec: { clusterIP: '127.96.0.1', ports: [{ port: 80 }] } } })
  t.equal(taken.code, 422, 'the reserved address is not handed to another Service')
  const list = await call(sim, c, 'apiserver-0', { type: 'api.list', ...core('services'), namespace: 'default' })
  t.same((list.body as unknown as { items: KObject[] }).items.map((s) => s.metadata.name), ['kubernetes'], 'two apiservers bootstrap one Service')
})
