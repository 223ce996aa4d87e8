// The gateway's view of the API server's kinds table (../kinds.ts): routing, discovery,
// OpenAPI and Tables all read it through these helpers.
import { KINDS as SERVED, type KindInfo as ServedKind } from '../kinds.ts'

export type KindInfo = ServedKind & {
  /** Virtual kinds (Binding) support only create. */
  createOnly?: boolean
  /** Resource metrics (metrics.k8s.io): get and list, answered from the kubelets, never stored. */
  metrics?: boolean
}

export const METRICS_GROUP = 'metrics.k8s.io'

const metricsKind = (kind: string, plural: string, namespaced: boolean): KindInfo => ({
  group: METRICS_GROUP, version: 'v1beta1', kind, plural, singular: '', shortNames: [], namespaced,
  subresources: [], categories: [], hasSpec: false, listKind: `${kind}List`, metrics: true,
})

export const KINDS: readonly KindInfo[] = [
  ...SERVED.map((ki) => (ki.plural === 'bindings' && ki.group === '' ? { ...ki, createOnly: true } : ki)),
  metricsKind('NodeMetrics', 'nodes', false),
  metricsKind('PodMetrics', 'pods', true),
]

/** Group -> versions served, in discovery order (core group is ''). */
export function groups(kinds: readonly KindInfo[] = KINDS): Array<{ group: string; versions: string[] }> {
  const out: Array<{ group: string; versions: string[] }> = []
  for (const ki of kinds) {
    let g = out.find((x) => x.group === ki.group)
    if (!g) out.push((g = { group: ki.group, versions: [] }))
    if (!g.versions.includes(ki.version)) g.versions.push(ki.version)
  }
  return out
}

export function findKind(group: string, version: string, plural: string, kinds: readonly KindInfo[] = KINDS): KindInfo | undefined {
  return kinds.find((ki) => ki.group === group && ki.version === version && ki.plural === plural)
}

export function apiVersionOf(ki: { group: string; version: string }): string {
  return ki.group ? `${ki.group}/${ki.version}` : ki.version
}

export function verbsOf(ki: KindInfo): string[] {
  if (ki.createOnly) return ['create']
  if (ki.metrics) return ['get', 'list']
  return ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
}
