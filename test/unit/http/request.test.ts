import t from 'tap'
import { parseRoute, type Route } from '../../../actors/apiserver/http/route.ts'
import { planRequest } from '../../../actors/apiserver/http/request.ts'
import { decodeBody, patchTypeOf } from '../../../actors/apiserver/http/body.ts'

const route = (url: string) => parseRoute(url) as Extract<Route, { kind: 'resource' }>
const enc = (s: string) => new TextEncoder().encode(s)

t.test('reads and watches', async (t) => {
  t.match(planRequest('GET', route('/api/v1/namespaces/d/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=500'), undefined), { type: 'call', call: { type: 'api.list', resource: 'pods', namespace: 'd', labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1', limit: 500 } })
  t.match(planRequest('GET', route('/apis/apps/v1/namespaces/d/deployments/web/scale'), undefined), { type: 'call', call: { type: 'api.get', name: 'web', subresource: 'scale', group: 'apps' } })
  t.match(planRequest('GET', route('/api/v1/namespaces/d/pods?watch=true&resourceVersion=17&allowWatchBookmarks=true&timeoutSeconds=30'), undefined), { type: 'watch', watch: { type: 'api.watch', resourceVersion: '17', allowWatchBookmarks: true, sendInitialEvents: false, timeoutSeconds: 30 } })
  t.match(planRequest('GET', route('/api/v1/pods?watch=1'), undefined), { type: 'watch', watch: { sendInitialEvents: true } })
  t.match(planRequest('GET', route('/api/v1/watch/namespaces/d/pods/web'), undefined), { type: 'watch', watch: { fieldSelector: 'metadata.name=web' } })
  t.match(planRequest('GET', route('/api/v1/namespaces/d/pods/web/log?follow=true'), undefined), { type: 'log', follow: true, call: { subresource: 'log' } })
})

t.test('bad query options are 400 Status answers', async (t) => {
  t.match(planRequest('GET', route('/api/v1/pods?labelSelector=a%20in%20(b'), undefined), { type: 'error', status: { code: 400, kind: 'Status' } })
  t.match(planRequest('GET', route('/api/v1/pods?fieldSelector=nonsense'), undefined), { type: 'error', status: { code: 400 } })
  t.match(planRequest('GET', route('/api/v1/pods?fieldSelector=spec.bogus%3Dx'), undefined), { type: 'error', status: { code: 400 } })
  t.match(planRequest('GET', route('/api/v1/pods?limit=abc'), undefined), { type: 'error', status: { code: 400, details: { causes: [{ field: 'limit' }] } } })
  t.match(planRequest('POST', route('/api/v1/namespaces/d/pods?fieldValidation=Loose'), { metadata: {} }), { type: 'error', status: { code: 400, details: { causes: [{ field: 'fieldValidation' }] } } })
  t.match(planRequest('POST', route('/api/v1/namespaces/d/pods?dryRun=Some'), { metadata: {} }), { type: 'error', status: { code: 400 } })
  t.match(planRequest('DELETE', route('/api/v1/namespaces/d/pods/x'), { propagationPolicy: 'Sideways' }), { type: 'error', status: { code: 400, details: { causes: [{ field: 'propagationPolicy' }] } } })
  t.match(planRequest('POST', route('/api/v1/namespaces/d/pods'), [1, 2]), { type: 'error', status: { code: 400 } })
  t.match(planRequest('PATCH', route('/api/v1/namespaces/d/pods/x'), { a: 1 }, 'json'), { type: 'error', status: { code: 400 } })
  t.match(planRequest('PATCH', route('/api/v1/namespaces/d/pods/x'), { a: 1 }, 'apply'), { type: 'error', status: { code: 400, details: { causes: [{ field: 'fieldManager' }] } } })
  t.match(planRequest('PUT', route('/api/v1/namespaces/d/pods'), { metadata: {} }), { type: 'error', status: { code: 405 } })
  t.match(planRequest('GET', route('/api/v1/namespaces/d/bindings'), undefined), { type: 'error', status: { code: 405 } })
})

t.test('writes', async (t) => {
  t.match(planRequest('POST', route('/api/v1/namespaces/d/pods?fieldManager=kubectl-create&fieldValidation=Strict'), { metadata: { name: 'p' } }), { type: 'call', call: { type: 'api.create', namespace: 'd', fieldManager: 'kubectl-create', fieldValidation: 'Strict' } })
  t.match(planRequest('POST', route('/api/v1/namespaces/d/bindings'), { metadata: { name: 'p' }, target: { name: 'n1' } }), { type: 'call', call: { type: 'api.create', resource: 'pods', name: 'p', subresource: 'binding', namespace: 'd' } }, 'namespaces/NS/bindings is pods/NAME/binding')
  t.match(planRequest('POST', route('/api/v1/namespaces/d/bindings'), { target: { name: 'n1' } }), { type: 'error', status: { code: 422 } })
  t.match(planRequest('POST', route('/api/v1/namespaces/d/pods/p/binding'), { target: { name: 'n1' } }), { type: 'call', call: { name: 'p', subresource: 'binding' } })
  t.match(planRequest('PATCH', route('/apis/apps/v1/namespaces/d/deployments/w?fieldManager=kubectl&force=true'), { spec: {} }, 'apply'), { type: 'call', call: { type: 'api.patch', patchType: 'apply', force: true, fieldManager: 'kubectl' } })
  t.match(planRequest('PUT', route('/apis/apps/v1/namespaces/d/deployments/w/scale'), { spec: { replicas: 2 } }), { type: 'call', call: { type: 'api.update', subresource: 'scale' } })
  t.match(planRequest('DELETE', route('/api/v1/namespaces/d/pods/x?gracePeriodSeconds=0'), { propagationPolicy: 'Background' }), { type: 'call', call: { type: 'api.delete', options: { propagationPolicy: 'Background', gracePeriodSeconds: 0 } } })
  t.match(planRequest('DELETE', route('/api/v1/namespaces/d/pods?labelSelector=a%3Db'), undefined), { type: 'call', call: { type: 'api.deletecollection', labelSelector: 'a=b' } })
})

t.test('bodies and patch types', async (t) => {
  t.same(decodeBody('application/json', enc('{"a":1}')), { ok: true, value: { a: 1 } })
  t.same(decodeBody(undefined, enc('{"a":1}')), { ok: true, value: { a: 1 } }, 'no Content-Type is JSON')
  t.same(decodeBody('application/apply-patch+yaml', enc('a: 1\nb: [x]\n')), { ok: true, value: { a: 1, b: ['x'] } })
  t.match(decodeBody('application/json', enc('{"a":')), { ok: false, status: { code: 400, reason: 'BadRequest', message: /json parse error/ } })
  t.match(decodeBody('application/yaml', enc('a: [1\n')), { ok: false, status: { code: 400 } })
  t.match(decodeBody('application/yaml', enc('a: 1\na: 2\n')), { ok: false, status: { code: 400 } }, 'duplicate keys refused')
  t.match(decodeBody('text/html', enc('<p>')), { ok: false, status: { code: 415 } })
  t.match(decodeBody('application/json', enc('  ')), { ok: false, status: { code: 400 } })
  t.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic')
  t.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge')
  t.equal(patchTypeOf('application/json-patch+json'), 'json')
  t.equal(patchTypeOf('application/apply-patch+yaml'), 'apply')
  t.match(patchTypeOf('application/json'), { code: 415, kind: 'Status' })
})

t.test('pod logs carry container and previous', async (t) => {
  t.match(planRequest('GET', route('/api/v1/namespaces/d/pods/web/log?container=side&previous=true&tailLines=5'), undefined), { type: 'log', follow: false, call: { type: 'api.get', subresource: 'log', container: 'side', previous: true } })
})

t.test('resource metrics are read-only and never reach the core', async (t) => {
  t.same(planRequest('GET', route('/apis/metrics.k8s.io/v1beta1/nodes'), undefined), { type: 'metrics', resource: 'nodes' })
  t.same(planRequest('GET', route('/apis/metrics.k8s.io/v1beta1/namespaces/d/pods/web'), undefined), { type: 'metrics', resource: 'pods', namespace: 'd', name: 'web' })
  t.same(planRequest('GET', route('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb'), undefined), { type: 'metrics', resource: 'pods', labelSelector: 'app=web' })
  for (const [m, url] of [['POST', '/apis/metrics.k8s.io/v1beta1/namespaces/d/pods'], ['DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/n1'], ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true']] as const) {
    t.match(planRequest(m, route(url), m === 'POST' ? {} : undefined), { type: 'error', status: { code: 405 } }, `${m} ${url}`)
  }
})
