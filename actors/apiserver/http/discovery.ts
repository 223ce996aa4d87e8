// Pure: aggregated discovery (apidiscovery.k8s.io/v2) and the legacy discovery documents.
import { apiVersionOf, groups, type KindInfo, KINDS, verbsOf } from './kinds.ts'

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'

/** True when the Accept header asks for the aggregated discovery document (v2). */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((part) => {
    const p = part.replace(/\s+/g, '')
    return p.includes('as=APIGroupDiscoveryList') && p.includes('g=apidiscovery.k8s.io') && /(^|;)v=v2(;|$)/.test(p)
  })
}

function subKind(ki: KindInfo, sub: string): { group: string; version: string; kind: string } {
  switch (sub) {
    case 'scale': return { group: 'autoscaling', version: 'v1', kind: 'Scale' }
    case 'binding': return { group: '', version: 'v1', kind: 'Binding' }
    case 'eviction': return { group: 'policy', version: 'v1', kind: 'Eviction' }
    default: return { group: ki.group, version: ki.version, kind: ki.kind }
  }
}

function subVerbs(sub: string): string[] {
  switch (sub) {
    case 'log': return ['get']
    case 'binding': case 'eviction': return ['create']
    default: return ['get', 'patch', 'update']
  }
}

function aggregatedResource(ki: KindInfo): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: ki.plural,
    responseKind: { group: ki.group, version: ki.version, kind: ki.kind },
    scope: ki.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: ki.singular,
    verbs: verbsOf(ki),
  }
  if (ki.shortNames.length) r.shortNames = ki.shortNames
  if (ki.categories.length) r.categories = ki.categories
  if (ki.subresources.length) {
    r.subresources = ki.subresources.map((s) => ({ subresource: s, responseKind: subKind(ki, s), verbs: subVerbs(s) }))
  }
  return r
}

/** GET /api (core group only) or /apis (every named group) as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(root: 'api' | 'apis', kinds: readonly KindInfo[] = KINDS): Record<string, unknown> {
  const items = groups(kinds)
    .filter((g) => (root === 'api' ? g.group === '' : g.group !== ''))
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: kinds.filter((ki) => ki.group === g.group && ki.version === v).map(aggregatedResource),
        freshness: 'Current',
      })),
    }))
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items }
}

/** GET /api with plain JSON. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }
}

function groupDoc(g: { group: string; versions: string[] }): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }))
  return { name: g.group, versions, preferredVersion: versions[0] }
}

/** GET /apis with plain JSON. */
export function apiGroupList(kinds: readonly KindInfo[] = KINDS): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups(kinds).filter((g) => g.group !== '').map(groupDoc) }
}

/** GET /apis/<group>; undefined when the group is not served. */
export function apiGroup(group: string, kinds: readonly KindInfo[] = KINDS): Record<string, unknown> | undefined {
  const g = groups(kinds).find((x) => x.group === group && group !== '')
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) } : undefined
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when not served. */
export function apiResourceList(group: string, version: string, kinds: readonly KindInfo[] = KINDS): Record<string, unknown> | undefined {
  const mine = kinds.filter((ki) => ki.group === group && ki.version === version)
  if (mine.length === 0) return undefined
  const resources: Array<Record<string, unknown>> = []
  for (const ki of mine) {
    const r: Record<string, unknown> = { name: ki.plural, singularName: ki.singular, namespaced: ki.namespaced, kind: ki.kind, verbs: verbsOf(ki) }
    if (ki.shortNames.length) r.shortNames = ki.shortNames
    if (ki.categories.length) r.categories = ki.categories
    resources.push(r)
    for (const s of ki.subresources) {
      const sk = subKind(ki, s)
      resources.push({ name: `${ki.plural}/${s}`, singularName: '', namespaced: ki.namespaced, group: sk.group || undefined, version: sk.version, kind: sk.kind, verbs: subVerbs(s) })
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources }
}
