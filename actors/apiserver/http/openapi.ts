// Pure: a minimal OpenAPI v3 index and per-group-version documents. They carry what kubectl
// reads: each kind's operations with x-kubernetes-group-version-kind, and the fieldValidation
// query parameter on PATCH (so kubectl leaves validation to the server with fieldValidation=Strict).
import { apiVersionOf, groups, type KindInfo, KINDS } from './kinds.ts'

function fnv1a(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0').toUpperCase()
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`
}

const param = (name: string, where: 'query' | 'path', required = false) => ({ name, in: where, required, schema: { type: 'string', uniqueItems: true } })
const json = (ref: string) => ({ 'application/json': { schema: { $ref: ref } } })

function schemaName(ki: KindInfo): string {
  const g = ki.group === '' ? 'core' : ki.group.split('.')[0]
  return `io.k8s.api.${g}.${ki.version}.${ki.kind}`
}

function operations(ki: KindInfo): Record<string, unknown> {
  const gvk = { group: ki.group, version: ki.version, kind: ki.kind }
  const ref = `#/components/schemas/${schemaName(ki)}`
  const base = ki.group ? `/apis/${ki.group}/${ki.version}` : `/api/${ki.version}`
  const coll = ki.namespaced ? `${base}/namespaces/{namespace}/${ki.plural}` : `${base}/${ki.plural}`
  const pathParams = ki.namespaced ? [param('namespace', 'path', true)] : []
  const op = (action: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${ki.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', content: json(ref) } },
    ...extra,
  })
  const writeParams = [param('dryRun', 'query'), param('fieldManager', 'query'), param('fieldValidation', 'query')]
  const paths: Record<string, unknown> = {
    [coll]: {
      parameters: pathParams,
      get: op('list'),
      post: op('post', { parameters: writeParams, requestBody: { content: json(ref), required: true } }),
    },
  }
  if (ki.metrics) {
    // Read-only: list and get.
    paths[coll] = { parameters: pathParams, get: op('list') }
    paths[`${coll}/{name}`] = { parameters: [param('name', 'path', true), ...pathParams], get: op('get') }
    return paths
  }
  if (!ki.createOnly) {
    paths[`${coll}/{name}`] = {
      parameters: [param('name', 'path', true), ...pathParams],
      get: op('get'),
      put: op('put', { parameters: writeParams, requestBody: { content: json(ref), required: true } }),
      patch: op('patch', {
        parameters: [...writeParams, param('force', 'query')],
        requestBody: {
          content: {
            'application/json-patch+json': { schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
            'application/merge-patch+json': { schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
            'application/apply-patch+yaml': { schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
          },
          required: true,
        },
      }),
      delete: op('delete', { parameters: [param('dryRun', 'query'), param('gracePeriodSeconds', 'query'), param('propagationPolicy', 'query')] }),
    }
  }
  return paths
}

/** The document for one group-version, or undefined when not served. */
export function openapiDocument(group: string, version: string, kinds: readonly KindInfo[] = KINDS): Record<string, unknown> | undefined {
  const mine = kinds.filter((ki) => ki.group === group && ki.version === version)
  if (mine.length === 0) return undefined
  const paths: Record<string, unknown> = {}
  const schemas: Record<string, unknown> = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  }
  for (const ki of mine) {
    Object.assign(paths, operations(ki))
    schemas[schemaName(ki)] = {
      type: 'object',
      description: `${ki.kind} (${apiVersionOf(ki)})`,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: { type: 'object' },
        status: { type: 'object' },
      },
      'x-kubernetes-group-version-kind': [{ group: ki.group, version: ki.version, kind: ki.kind }],
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  }
}

/** GET /openapi/v3: each served group-version with a content hash in its URL. */
export function openapiIndex(kinds: readonly KindInfo[] = KINDS): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {}
  for (const g of groups(kinds)) {
    for (const v of g.versions) {
      const p = gvPath(g.group, v)
      const hash = fnv1a(JSON.stringify(openapiDocument(g.group, v, kinds)))
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` }
    }
  }
  return { paths }
}
