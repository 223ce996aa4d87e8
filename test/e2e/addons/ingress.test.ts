// The ingress controller relays real HTTP requests by host and path (Prefix and Exact, longest
// match first) to process-runtime pods behind a Service; 503 with no ready endpoint, 404 when
// no rule matches; status.loadBalancer shows the controller's address.
import t from 'tap'
import { request } from 'node:http'
import { stringify } from 'yaml'
import { eventually } from '../../helpers/kubectl.ts'
import { addonTopology, hostPort, startAddonCluster } from './addon-cluster.ts'

interface Reply { status: number; body: string }

function get(target: { host: string; port: number }, host: string, path: string): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request({ host: target.host, port: target.port, path, headers: { host }, timeout: 5000, agent: false }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e) => resolve({ status: 0, body: String(e) }))
    req.end()
  })
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        runtimeClassName: 'process',
        containers: [{
          name: 'web', image: 'node', command: ['node', 'test/fixtures/http-server.js'],
          env: [{ name: 'PORT', value: '8080' }], ports: [{ name: 'http', containerPort: 8080 }],
          // A generous timeout: a starved machine answers late, and these tests are about routing.
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, timeoutSeconds: 5 },
        }],
      },
    },
  },
})

const service = (name: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
})

const path = (p: string, pathType: string, svc: string) => ({ path: p, pathType, backend: { service: { name: svc, port: { number: 80 } } } })

const ingress = {
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop' },
  spec: {
    rules: [
      { host: 'shop.example.com', http: { paths: [path('/', 'Prefix', 'web'), path('/api', 'Prefix', 'api'), path('/api/status', 'Exact', 'web'), path('/empty', 'Prefix', 'empty')] } },
      { host: 'api.example.com', http: { paths: [path('/', 'Prefix', 'api')] } },
    ],
  },
}

t.test('HTTP through the ingress reaches process-runtime pods by host and path', { timeout: 150_000 }, async (t) => {
  const { k, addonInfo } = await startAddonCluster(t, addonTopology({ ingress: true }))
  const ing = hostPort(addonInfo('ingress-0').listen)
  t.equal(ing.host, '127.0.0.1', 'the ingress listens on the loopback')

  const docs = [deployment('web', 2), deployment('api', 1), service('web'), service('api'), service('empty'), ingress]
  const applied = await k.run(['apply', '-f', '-'], { stdin: docs.map((d) => stringify(d)).join('---\n') })
  if (!t.equal(applied.code, 0, applied.stderr)) return

  let r = await get(ing, 'shop.example.com', '/')
  const webUp = await eventually(async () => {
    r = await get(ing, 'shop.example.com', '/')
    return r.status === 200 && /^web-/.test(r.body)
  }, 40_000)
  if (!t.ok(webUp, `a web pod answers through the ingress: ${r.status} ${r.body}`)) return
  t.ok(await eventually(async () => /^api-/.test((await get(ing, 'shop.example.com', '/api/items')).body), 20_000), 'the api pod is ready')

  let ready = ''
  t.ok(await eventually(async () => {
    ready = (await k.run(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout
    return ready.trim().split(/\s+/).length === 2
  }, 30_000), `both web pods are ready endpoints: ${ready}`)
  // Each request picks one of the two at random: 30 miss one with probability 2^-29.
  const seen = new Set<string>()
  for (let i = 0; i < 30; i++) seen.add((await get(ing, 'shop.example.com', '/anything')).body.trim())
  t.equal([...seen].filter((b) => b.startsWith('web-')).length, 2, `requests spread over both web pods: ${[...seen].join(', ')}`)

  const cases: Array<[string, string, number, RegExp, string]> = [
    ['shop.example.com', '/api', 200, /^api-/, 'Prefix /api matches the path itself'],
    ['shop.example.com', '/api/v1/items?x=1', 200, /^api-/, 'the longer Prefix /api beats /'],
    ['shop.example.com', '/api/status', 200, /^web-/, 'Exact /api/status beats Prefix /api'],
    ['shop.example.com', '/api/status/more', 200, /^api-/, 'Exact does not match a longer path'],
    ['shop.example.com', '/apix', 200, /^web-/, 'Prefix matches whole path elements only'],
    ['SHOP.example.com:9999', '/api', 200, /^api-/, 'the host match ignores case and port'],
    ['api.example.com', '/', 200, /^api-/, 'the second host rule'],
    ['shop.example.com', '/empty/x', 503, /no ready endpoint/, '503 when the Service has no ready endpoint'],
    ['other.example.com', '/', 404, /no ingress rule/, '404 when no host rule matches'],
  ]
  for (const [host, p, status, body, what] of cases) {
    const got = await get(ing, host, p)
    t.equal(got.status, status, `${what}: ${host}${p} -> ${got.status} ${got.body.trim()}`)
    t.match(got.body, body, what)
  }

  // status.loadBalancer carries the ingress address; kubectl shows it.
  let shown = ''
  t.ok(await eventually(async () => {
    shown = (await k.run(['get', 'ingress', 'shop'])).stdout
    return /127\.0\.0\.1/.test(shown)
  }, 15_000), `kubectl get ingress shows the address:\n${shown}`)
  const lb = JSON.parse((await k.run(['get', 'ingress', 'shop', '-o', 'jsonpath={.status.loadBalancer}'])).stdout || '{}') as { ingress?: Array<{ ip?: string; ports?: Array<{ port: number }> }> }
  t.equal(lb.ingress?.[0]?.ip, '127.0.0.1', 'status.loadBalancer.ingress[0].ip')
  t.equal(lb.ingress?.[0]?.ports?.[0]?.port, ing.port, 'status.loadBalancer.ingress[0].ports[0].port is the listening port')

  // Scaled to zero: no ready endpoint, 503; scaled back: 200 again.
  const scaled = await k.run(['scale', 'deployment/api', '--replicas=0'])
  t.equal(scaled.code, 0, scaled.stderr)
  let down: Reply = { status: 0, body: '' }
  t.ok(await eventually(async () => (down = await get(ing, 'api.example.com', '/')).status === 503, 30_000), `503 once api has no pods: ${down.status} ${down.body}`)
  await k.run(['scale', 'deployment/api', '--replicas=1'])
  t.ok(await eventually(async () => /^api-/.test((await get(ing, 'api.example.com', '/')).body), 40_000), 'api answers again after scaling back up')
})
