import t from 'tap'
import { backendTargets, compileRoutes, hostMatches, matchRoute, type Ingress } from '../../../actors/addons/ingress/routes.ts'
import type { Endpoints, Service } from '../../../protocols/k8s.ts'

const be = (name: string, number = 80) => ({ service: { name, port: { number } } })
const ing: Ingress = {
  metadata: { name: 'site', namespace: 'default' },
  spec: {
    rules: [
      { host: 'shop.example.com', http: { paths: [
        { path: '/', pathType: 'Prefix', backend: be('shop') },
        { path: '/api', pathType: 'Prefix', backend: be('api') },
        { path: '/api/v2', pathType: 'Prefix', backend: be('api2') },
        { path: '/login', pathType: 'Exact', backend: be('auth') },
      ] } },
      { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('wild') }] } },
      { http: { paths: [{ path: '/status', pathType: 'Exact', backend: be('status') }] } },
    ],
  },
}
const table = compileRoutes([ing])
const svc = (r: ReturnType<typeof matchRoute>) => r?.backend.service.name

t.test('longest prefix wins, by whole path elements', async (t) => {
  t.equal(svc(matchRoute(table, 'shop.example.com', '/api/v2/items')), 'api2')
  t.equal(svc(matchRoute(table, 'shop.example.com', '/api/v1')), 'api')
  t.equal(svc(matchRoute(table, 'shop.example.com', '/apiary')), 'shop', '/api does not match /apiary')
  t.equal(svc(matchRoute(table, 'shop.example.com:8080', '/')), 'shop', 'port in Host is ignored')
})

t.test('Exact matches only the exact path', async (t) => {
  t.equal(svc(matchRoute(table, 'shop.example.com', '/login')), 'auth')
  t.equal(svc(matchRoute(table, 'shop.example.com', '/login/x')), 'shop')
  t.equal(svc(matchRoute(table, 'other.test', '/status')), 'status')
  t.equal(matchRoute(table, 'other.test', '/status/x'), undefined, 'no rule -> 404')
})

t.test('wildcard hosts match exactly one label', async (t) => {
  t.equal(svc(matchRoute(table, 'blog.example.com', '/x')), 'wild')
  t.notOk(hostMatches('*.example.com', 'a.b.example.com'))
  t.notOk(hostMatches('*.example.com', 'example.com'))
})

t.test('default backend when nothing matches', async (t) => {
  const d = compileRoutes([{ metadata: { name: 'd', namespace: 'ns' }, spec: { defaultBackend: be('fallback') } }])
  t.equal(svc(matchRoute(d, 'x', '/anything')), 'fallback')
})

t.test('backend targets: service port -> ready endpoints only, by port name', async (t) => {
  const services = new Map<string, Service>([['default/api', { metadata: { name: 'api', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 'web' }] } }]])
  const endpoints = new Map<string, Endpoints>([['default/api', { metadata: { name: 'api', namespace: 'default' }, subsets: [{ addresses: [{ ip: '127.244.0.2' }], notReadyAddresses: [{ ip: '127.244.0.3' }], ports: [{ name: 'http', port: 8080 }] }] }]])
  const route = matchRoute(table, 'shop.example.com', '/api')!
  t.same(backendTargets(route, services, endpoints), [{ host: '127.244.0.2', port: 8080 }])
  t.same(backendTargets(matchRoute(table, 'shop.example.com', '/')!, services, endpoints), [], 'unknown service -> no targets (503)')
})
