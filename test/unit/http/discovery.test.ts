import t from 'tap'
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, wantsAggregated } from '../../../actors/apiserver/http/discovery.ts'
import { openapiDocument, openapiIndex } from '../../../actors/apiserver/http/openapi.ts'

t.test('aggregated discovery', async (t) => {
  t.equal(AGGREGATED_CONTENT_TYPE, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
  t.ok(wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'))
  t.notOk(wantsAggregated('application/json'))
  t.notOk(wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'))
  const core = aggregatedDiscovery('api') as any
  t.equal(core.kind, 'APIGroupDiscoveryList')
  t.equal(core.items.length, 1)
  t.equal(core.items[0].metadata.name, '')
  const pods = core.items[0].versions[0].resources.find((r: any) => r.resource === 'pods')
  t.same(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' })
  t.equal(pods.scope, 'Namespaced')
  t.same(pods.shortNames, ['po'])
  t.ok(pods.subresources.some((s: any) => s.subresource === 'log'))
  const nodes = core.items[0].versions[0].resources.find((r: any) => r.resource === 'nodes')
  t.equal(nodes.scope, 'Cluster')
  const apis = aggregatedDiscovery('apis') as any
  t.same(apis.items.map((i: any) => i.metadata.name).sort(), ['apps', 'batch', 'coordination.k8s.io', 'metrics.k8s.io', 'networking.k8s.io'])
  const deploy = apis.items.find((i: any) => i.metadata.name === 'apps').versions[0].resources.find((r: any) => r.resource === 'deployments')
  t.same(deploy.categories, ['all'])
  t.same(deploy.subresources.find((s: any) => s.subresource === 'scale').responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' })
})

t.test('legacy discovery', async (t) => {
  t.ok((apiGroupList() as any).groups.some((g: any) => g.name === 'apps' && g.preferredVersion.groupVersion === 'apps/v1'))
  t.equal(apiGroup('nope'), undefined)
  t.equal(apiGroup(''), undefined)
  const l = apiResourceList('apps', 'v1') as any
  t.equal(l.groupVersion, 'apps/v1')
  t.ok(l.resources.some((r: any) => r.name === 'deployments/scale' && r.kind === 'Scale'))
  t.equal(apiResourceList('apps', 'v9'), undefined)
})

t.test('openapi v3', async (t) => {
  const idx = openapiIndex()
  t.match(idx.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/)
  t.ok(idx.paths['apis/apps/v1'])
  t.ok(idx.paths['apis/coordination.k8s.io/v1'])
  const doc = openapiDocument('apps', 'v1') as any
  const p = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']
  t.same(p.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' })
  t.ok(p.patch.parameters.some((q: any) => q.name === 'fieldValidation' && q.in === 'query'))
  t.notOk(p.patch.requestBody.content['application/strategic-merge-patch+json'], 'kubectl computes strategic patches from its built-in types')
  t.ok(doc.paths['/api/v1/nodes/{name}'] === undefined && (openapiDocument('', 'v1') as any).paths['/api/v1/nodes/{name}'])
  t.equal(openapiDocument('apps', 'v2'), undefined)
})

t.test('metrics.k8s.io is discovered with get and list only', async (t) => {
  const rl = apiResourceList('metrics.k8s.io', 'v1beta1') as any
  t.same(rl.resources.map((r: any) => [r.name, r.kind, r.namespaced, r.verbs]), [['nodes', 'NodeMetrics', false, ['get', 'list']], ['pods', 'PodMetrics', true, ['get', 'list']]])
  t.ok((apiGroupList() as any).groups.some((g: any) => g.name === 'metrics.k8s.io' && g.preferredVersion.version === 'v1beta1'), 'kubectl top finds the group')
})
