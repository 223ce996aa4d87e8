// Security and bad input over real HTTP: bearer tokens, malformed bodies, size limit, unknown
// resources, and a seeded fuzz of thousands of mutated manifests and requests. Every refusal
// is a Status with the HTTP code; nothing is a 5xx; the server keeps serving.
import t from 'tap'
import type * as Tap from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { selfSignedCert, startLoadBalancer } from '../../../runtime/lb/index.ts'
import { kubectlFor, startRealApiServers } from '../../helpers/kubectl.ts'
import { seededRandom, type Rng } from '../../../runtime/random.ts'
import { testSeed } from '../../../runtime/sim/simulator.ts'
import { startMemoryGateway } from '../../helpers/memory-core.ts'

t.test('bearer tokens: 401 and nothing else without a valid one', async (t) => {
  const gw = await startMemoryGateway({ tokens: [{ token: 's3cret', user: 'admin', uid: '1', groups: ['system:masters'] }] })
  t.teardown(() => gw.close())
  const base = `http://127.0.0.1:${gw.port}`
  for (const [path, headers] of [['/api/v1/namespaces', {}], ['/version', {}], ['/api/v1/namespaces', { authorization: 'Bearer wrong' }], ['/apis', { authorization: 'Basic YTpi' }]] as const) {
    const r = await fetch(base + path, { headers })
    t.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`)
    const body = await r.json()
    t.same(body, { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })
  }
  const post = await fetch(base + '/api/v1/namespaces/default/configmaps', { method: 'POST', body: JSON.stringify({ metadata: { name: 'x' } }) })
  t.equal(post.status, 401)
  t.equal((await gw.core.handle({ type: 'api.get', group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'x' })).code, 404, 'the unauthenticated write did nothing')
  const ok = await fetch(base + '/api/v1/namespaces', { headers: { authorization: 'Bearer s3cret' } })
  t.equal(ok.status, 200)
  t.equal((await fetch(base + '/readyz')).status, 200, 'health probes stay open for the load balancer')

  // kubectl sends a bearer token only over TLS: through the load balancer's HTTPS listener.
  const dir = await mkdtemp(join(tmpdir(), 'actorkube-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const lb = await startLoadBalancer({ port: 0, backends: [{ id: 'apiserver-0', host: '127.0.0.1', port: gw.port }], tls: await selfSignedCert(dir) })
  t.teardown(() => lb.close())
  const good = await kubectlFor(lb.port, { token: 's3cret', https: true })
  t.teardown(() => good.cleanup())
  t.match((await good.run(['get', 'ns'])).stdout, /default\s+Active/, 'kubectl with the token')
  const bad = await kubectlFor(lb.port, { token: 'nope', https: true })
  t.teardown(() => bad.cleanup())
  const r = await bad.run(['get', 'ns'])
  t.not(r.code, 0)
  t.match(r.stderr, /Unauthorized|must be logged in/, 'kubectl with a wrong token')
})

t.test('bad input answers with a Status naming the problem', async (t) => {
  const gw = await startMemoryGateway({ maxBodyBytes: 64 * 1024 })
  t.teardown(() => gw.close())
  const base = `http://127.0.0.1:${gw.port}`
  const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const r = await fetch(base + path, { method, body, headers: body !== undefined ? { 'content-type': contentType } : {} })
    return { status: r.status, body: await r.json() }
  }
  let r = await call('POST', '/api/v1/namespaces/default/pods', '{"apiVersion":')
  t.match(r, { status: 400, body: { kind: 'Status', reason: 'BadRequest', code: 400, message: /json parse error/ } })
  r = await call('POST', '/api/v1/namespaces/default/configmaps', 'metadata: [\n', 'application/yaml')
  t.match(r, { status: 400, body: { kind: 'Status', code: 400 } })
  r = await call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(100 * 1024) } }))
  t.match(r, { status: 413, body: { kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 } })
  r = await call('GET', '/api/v1/namespaces/default/widgets')
  t.match(r, { status: 404, body: { kind: 'Status', reason: 'NotFound' } })
  r = await call('GET', '/api/v1/pods?labelSelector=a%20in%20(b')
  t.match(r, { status: 400, body: { kind: 'Status', details: { causes: [{ field: 'labelSelector' }] } } })
  r = await call('GET', '/api/v1/pods?fieldSelector=spec.bogus%3D1')
  t.match(r, { status: 400, body: { kind: 'Status', details: { causes: [{ field: 'fieldSelector' }] } } })
  r = await call('PATCH', '/api/v1/namespaces/default/pods/x', '{}', 'text/plain')
  t.match(r, { status: 415, body: { kind: 'Status', reason: 'UnsupportedMediaType' } })
  r = await call('GET', '/api/v1/namespaces/default/pods/missing')
  t.match(r, { status: 404, body: { kind: 'Status', reason: 'NotFound', details: { name: 'missing', kind: 'pods' } } })
  t.equal((await fetch(base + '/readyz')).status, 200, 'still serving')
})

const MANIFEST = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } } } }
const WEIRD: unknown[] = [null, true, 0, -1, 1e308, '', 'x'.repeat(300), [], {}, [null], { $patch: 'delete' }, '\u0000', 'ÿ', NaN, { __proto__: { polluted: 1 } }, { constructor: { prototype: { bad: 1 } } }]

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]
}

function mutate(rng: Rng, v: unknown, depth = 0): unknown {
  if (depth > 6 || rng() < 0.15) return structuredClone(pick(rng, WEIRD))
  if (Array.isArray(v)) return v.map((x) => (rng() < 0.3 ? mutate(rng, x, depth + 1) : x))
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      const r = rng()
      if (r < 0.1) continue
      o[r < 0.15 ? `${k}X` : k] = r < 0.45 ? mutate(rng, x, depth + 1) : x
    }
    if (rng() < 0.1) o[`unknown${Math.floor(rng() * 9)}`] = pick(rng, WEIRD)
    return o
  }
  return rng() < 0.5 ? pick(rng, WEIRD) : v
}

function corrupt(rng: Rng, s: string): string {
  const r = rng()
  if (r < 0.3) return s.slice(0, Math.floor(rng() * s.length))
  if (r < 0.5) {
    const i = Math.floor(rng() * s.length)
    return s.slice(0, i) + pick(rng, ['{', '}', '"', ',', ':', '\\', '\u0000', ']']) + s.slice(i + 1)
  }
  return s
}

async function fuzz(t: Tap.Test, base: string, N: number): Promise<void> {
  const seed = testSeed(7)
  t.comment(`SEED=${seed}`)
  const rng = seededRandom(seed)
  const paths = ['/apis/apps/v1/namespaces/default/deployments', '/apis/apps/v1/namespaces/default/deployments/web', '/apis/apps/v1/namespaces/default/deployments/web/scale', '/apis/apps/v1/namespaces/default/deployments/web/status', '/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/bindings', '/api/v1/namespaces/default/pods/web/binding', '/api/v1/namespaces/default/configmaps', '/api/v1/nodes', '/api/v1/namespaces/kube-system', '/apis/apps/v1/deployments']
  const queries = ['', '?fieldValidation=Strict', '?fieldManager=kubectl&force=true', '?labelSelector=app%3Dweb', '?labelSelector=%21%21', '?fieldSelector=metadata.name%3D', '?limit=-5', '?watch=nope', '?dryRun=All', '?gracePeriodSeconds=x', '?propagationPolicy=Bogus', '?resourceVersion=abc']
  const types = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'text/plain', '']
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
  const failures: string[] = []
  let i = 0
  const worker = async () => {
    while (i < N) {
      const n = i++
      const method = pick(rng, methods)
      const path = pick(rng, paths) + pick(rng, queries)
      const contentType = pick(rng, types)
      let body: string | undefined
      if (method !== 'GET') {
        const doc = rng() < 0.2 ? [{ op: pick(rng, ['add', 'remove', 'replace', 'move', 'test', 'bogus']), path: pick(rng, ['/spec/replicas', '/metadata/labels/a', '', '/~2', '/spec/template/spec/containers/9']), value: mutate(rng, 3) }] : mutate(rng, MANIFEST)
        body = corrupt(rng, JSON.stringify(doc) ?? 'null')
      }
      if (path.includes('watch=')) continue
      try {
        const r = await fetch(base + path, { method, body, headers: contentType ? { 'content-type': contentType } : {} })
        const text = await r.text()
        if (r.status >= 500) failures.push(`#${n} ${method} ${path} ${contentType}: ${r.status} ${text.slice(0, 200)}`)
        if (r.status >= 400) {
          let s: any
          try {
            s = JSON.parse(text)
          } catch {
            s = undefined
          }
          if (!s || s.kind !== 'Status' || s.code !== r.status || s.status !== 'Failure') failures.push(`#${n} ${method} ${path}: not a Status: ${r.status} ${text.slice(0, 200)}`)
        }
      } catch (err) {
        failures.push(`#${n} ${method} ${path}: ${String(err)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  t.same(failures.slice(0, 10), [], `no 5xx, every refusal a Status (seed ${seed})`)
  t.equal((await fetch(base + '/readyz')).status, 200, 'still serving after the fuzz')
  t.equal(({}.constructor.prototype as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
}

t.test('fuzz: mutated manifests and requests (gateway over the memory core)', async (t) => {
  const gw = await startMemoryGateway({ maxBodyBytes: 256 * 1024 })
  t.teardown(() => gw.close())
  await fuzz(t, `http://127.0.0.1:${gw.port}`, 2000)
})

t.test('fuzz: the real apiservers through the load balancer', async (t) => {
  const c = await startRealApiServers(1)
  t.teardown(() => c.close())
  await fuzz(t, `http://127.0.0.1:${c.lb.port}`, 1000)
  t.same(c.sys.crashes, [], 'no apiserver crashed')
})
