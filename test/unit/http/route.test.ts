import t from 'tap'
import { parseRoute } from '../../../actors/apiserver/http/route.ts'

t.test('meta endpoints', async (t) => {
  t.same(parseRoute('/version'), { kind: 'version' })
  t.match(parseRoute('/readyz?verbose'), { kind: 'health', check: 'readyz', verbose: true })
  t.match(parseRoute('/healthz/etcd'), { kind: 'health', check: 'healthz', single: 'etcd' })
  t.same(parseRoute('/api'), { kind: 'discovery', root: 'api' })
  t.same(parseRoute('/apis'), { kind: 'discovery', root: 'apis' })
  t.same(parseRoute('/apis/apps'), { kind: 'group', group: 'apps' })
  t.same(parseRoute('/api/v1'), { kind: 'groupVersion', group: '', version: 'v1' })
  t.same(parseRoute('/apis/apps/v1'), { kind: 'groupVersion', group: 'apps', version: 'v1' })
  t.same(parseRoute('/openapi/v3'), { kind: 'openapiIndex' })
  t.same(parseRoute('/openapi/v3/apis/apps/v1?hash=X'), { kind: 'openapi', group: 'apps', version: 'v1' })
  t.same(parseRoute('/openapi/v2'), { kind: 'notFound' })
  t.same(parseRoute('/nope'), { kind: 'notFound' })
})

t.test('resource paths', async (t) => {
  t.match(parseRoute('/api/v1/namespaces/default/pods'), { kind: 'resource', info: { plural: 'pods' }, namespace: 'default', name: undefined })
  t.match(parseRoute('/api/v1/namespaces/ns1/pods/web/status'), { kind: 'resource', namespace: 'ns1', name: 'web', subresource: 'status' })
  t.match(parseRoute('/api/v1/namespaces/ns1/pods/web/log?follow=true'), { kind: 'resource', subresource: 'log' })
  t.match(parseRoute('/api/v1/pods'), { kind: 'resource', info: { plural: 'pods' }, namespace: undefined })
  t.match(parseRoute('/api/v1/namespaces/kube-system'), { kind: 'resource', info: { plural: 'namespaces' }, name: 'kube-system', namespace: undefined })
  t.match(parseRoute('/api/v1/namespaces/kube-system/status'), { kind: 'resource', info: { plural: 'namespaces' }, name: 'kube-system', subresource: 'status' })
  t.match(parseRoute('/apis/apps/v1/namespaces/default/deployments/web/scale'), { kind: 'resource', info: { kind: 'Deployment' }, subresource: 'scale' })
  t.match(parseRoute('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases'), { kind: 'resource', info: { kind: 'Lease' } })
  t.match(parseRoute('/api/v1/watch/namespaces/default/pods'), { kind: 'resource', watchPath: true })
  t.match(parseRoute('/api/v1/namespaces/a%2Fb/pods'), { kind: 'resource', namespace: 'a/b' })
  const r = parseRoute('/api/v1/pods?labelSelector=app%3Dweb&watch=1')
  t.equal(r.kind === 'resource' && r.query.get('labelSelector'), 'app=web')
})

t.test('unknown and malformed paths', async (t) => {
  t.match(parseRoute('/api/v1/widgets'), { kind: 'unknownResource', resource: 'widgets' })
  t.match(parseRoute('/apis/apps/v2/deployments'), { kind: 'unknownResource' })
  t.same(parseRoute('/api/v1/namespaces/default/nodes'), { kind: 'notFound' }, 'cluster-scoped kind under a namespace')
  t.same(parseRoute('/api/v1/namespaces/default/pods/web/bogus'), { kind: 'notFound' })
  t.same(parseRoute('/api/v1/namespaces/default/pods/web/status/x'), { kind: 'notFound' })
  t.same(parseRoute('/api/v1/namespaces/%E0%A4%A/pods'), { kind: 'notFound' }, 'bad percent-encoding')
})
