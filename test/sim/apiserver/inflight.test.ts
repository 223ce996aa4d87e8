import t from 'tap'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import type { ApiReply, ApiRequest } from '../../../protocols/api.ts'
import type { KObject, Status } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import { cluster, core } from './setup.ts'
import { QUEUE_WAIT_MS } from '../../../actors/apiserver/server.ts'

const seed = testSeed(31)
const cm = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v' } })
const lease = (name: string, namespace: string): KObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: name } })
const leases = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }

t.test('requests over the in-flight limits wait in a queue as long as the pool, the rest are refused with 429 and Retry-After; node heartbeats have their own pool; leader election is never refused', async (t) => {
  t.comment(`seed ${seed}`)
  const { sim } = await cluster(seed, 1, { args: { maxMutatingRequestsInflight: 2, maxRequestsInflight: 3 } })
  const c = sim.client('client-a')
  const A = 'apiserver-0'
  const burst = async (n: number, req: (i: number) => Parameters<typeof c.ask>[1]): Promise<ApiReply[]> => {
    const out: ApiReply[] = []
    for (let i = 0; i < n; i++) c.ask<ApiReply>(A, req(i), { timeoutMs: 5000 }).then((r) => out.push(r), () => {})
    await sim.runUntil(() => out.length === n, 6000)
    return out
  }
  const creates = await burst(10, (i) => ({ type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm(`c-${i}`) }))
  const codes = creates.map((r) => r.code)
  t.equal(codes.filter((x) => x === 201).length, 4, 'two writes served at once, two more queued and served after them')
  t.equal(codes.filter((x) => x === 429).length, 6, 'the rest refused at once')
  t.same(codes.slice(0, 6), Array(6).fill(429), 'the refusals answered before any write')
  const refused = creates.find((r) => r.code === 429)!.body as Status
  t.equal(refused.reason, 'TooManyRequests')
  t.equal(refused.details?.retryAfterSeconds, 1)

  const gets = await burst(10, (i) => ({ type: 'api.get', ...core('configmaps'), namespace: 'default', name: `c-${i % 2}` }))
  t.equal(gets.filter((r) => r.code === 429).length, 4, 'reads have their own limit (3) and queue (3)')

  const ls = await burst(10, (i) => ({ type: 'api.create', ...leases, namespace: 'kube-system', body: lease(`l-${i}`, 'kube-system') }))
  t.same(ls.map((r) => r.code), Array(10).fill(201), 'leader-election leases are exempt')
  const nl = await burst(10, (i) => ({ type: 'api.create', ...leases, namespace: 'kube-node-lease', body: lease(`n-${i}`, 'kube-node-lease') }))
  t.equal(nl.filter((r) => r.code === 429).length, 6, 'node leases have a limit and a queue of the same size')
  const mixed = await burst(4, (i) => i % 2 === 0
    ? { type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm(`m-${i}`) }
    : { type: 'api.create', ...leases, namespace: 'kube-node-lease', body: lease(`m-${i}`, 'kube-node-lease') })
  t.same(mixed.map((r) => r.code), [201, 201, 201, 201], 'two writes and two node leases at once: separate pools')

  // Slots are given back, errors included: a conflict, then a burst within the limit.
  const dup = await burst(1, () => ({ type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm('c-0') }))
  t.equal(dup[0]!.code, 409)
  const again = await burst(2, (i) => ({ type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm(`d-${i}`) }))
  t.same(again.map((r) => r.code), [201, 201])
})

t.test('a request queued over the limit for longer than QUEUE_WAIT_MS is refused with 429; one whose slot frees in time is served', async (t) => {
  t.comment(`seed ${seed}`)
  const { sim } = await cluster(seed, 1, { args: { maxMutatingRequestsInflight: 1 } })
  const c = sim.client('client-a')
  const A = 'apiserver-0'
  // etcd answers the apiserver 1.6 s late: the write in the slot holds it until the store times out.
  const heal = sim.delay({ from: ['etcd-main-0', 'etcd-main-1', 'etcd-main-2'], ms: 1600 })
  const got: Array<[string, number, number]> = []
  const create = (name: string): ApiRequest => ({ type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm(name) })
  const start = sim.now()
  for (const name of ['slow', 'queued']) {
    c.ask<ApiReply>(A, create(name), { timeoutMs: 10_000 })
      .then((r) => got.push([name, r.code, sim.now() - start]), () => {})
  }
  await sim.runUntil(() => got.length === 2, 10_000)
  heal()
  t.equal(got[0]![0], 'queued')
  t.equal(got[0]![1], 429, 'the queued write is refused')
  t.ok(got[0]![2] >= QUEUE_WAIT_MS && got[0]![2] < 1600, `after waiting QUEUE_WAIT_MS, not for the slot (${got[0]![2]} ms)`)
  t.equal(got[1]![0], 'slow')
  t.not(got[1]![1], 429, 'the slow write held the slot (its answer is the store\'s: 503 after the store timeout)')

  // Within the wait, the queued write gets the slot when it frees.
  const fast: number[] = []
  for (const name of ['a', 'b']) {
    c.ask<ApiReply>(A, create(name), { timeoutMs: 10_000 }).then((r) => fast.push(r.code), () => {})
  }
  await sim.runUntil(() => fast.length === 2, 5000)
  t.same(fast, [201, 201])
})

t.test('the API client waits out a 429 and asks again: a burst over the limit all succeeds', async (t) => {
  t.comment(`seed ${seed}`)
  const { sim } = await cluster(seed, 1, { args: { maxMutatingRequestsInflight: 1 } })
  let done = 0
  const errors: unknown[] = []
  sim.spawn('controller-manager-0', (ctx) => {
    const client = createApiClient(ctx, { apiservers: ['apiserver-0'], requestTimeoutMs: 2000 })
    return {
      start() {
        for (let i = 0; i < 6; i++) {
          client.create(R.configmaps, 'default', cm(`x-${i}`)).then(() => done++, (e: unknown) => errors.push(e))
        }
      },
      receive(msg, meta) {
        client.handle(msg, meta)
      },
    }
  })
  const start = sim.now()
  await sim.runUntil(() => done + errors.length === 6, 20_000)
  t.same(errors, [], 'no request failed')
  t.equal(done, 6)
  t.ok(sim.now() - start >= 500, 'the refused ones waited (Retry-After 1 s, jittered 0.5-1.5x)')
})

t.test('a 429 the client gave up waiting out reads as API_TOO_MANY_REQUESTS', async (t) => {
  const { codeForStatus } = await import('../../../actors/client/errors.ts')
  t.equal(codeForStatus({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.' }), 'API_TOO_MANY_REQUESTS')
})

t.test('a starting apiserver creates its default namespaces and the kubernetes Service past a flood of writes over the limits', async (t) => {
  const { sim } = await cluster(seed, 1, { args: { maxMutatingRequestsInflight: 1 } })
  const c = sim.client('client-flood')
  let flooding = true
  let refused = 0
  const one = (i: number): void => {
    if (!flooding) return
    const req: ApiRequest = { type: 'api.create', ...core('configmaps'), namespace: 'default', body: cm(`f-${i}`) }
    c.ask<ApiReply>('apiserver-0', req, { timeoutMs: 3000 })
      .then((r) => { if (r.code === 429) refused++ }, () => {})
      .finally(() => one(i + 30))
  }
  sim.restart('apiserver-0')
  const restarted = sim.now()
  for (let i = 0; i < 30; i++) one(i)
  // Ready as soon as its caches are filled: its own writes do not queue behind the flood.
  const ready = await sim.runUntil(() => sim.reports.get('apiserver-0')?.ready === true, 500)
  flooding = false
  t.ok(refused > 0, `the flood was over the limit (${refused} refused)`)
  t.ok(ready, `ready within 500 ms while the flood went on (${sim.now() - restarted} ms)`)
})
