// Pure: an HTTP method + URL into what the gateway should do. No I/O.
import { findKind, type KindInfo, KINDS } from './kinds.ts'

export type Route =
  | { kind: 'version' }
  | { kind: 'health'; check: 'healthz' | 'livez' | 'readyz'; verbose: boolean; single?: string }
  | { kind: 'discovery'; root: 'api' | 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapiIndex' }
  | { kind: 'openapi'; group: string; version: string }
  | { kind: 'resource'; info: KindInfo; namespace?: string; name?: string; subresource?: string; watchPath: boolean; query: URLSearchParams }
  | { kind: 'unknownResource'; group: string; version: string; resource: string }
  | { kind: 'notFound' }

const HEALTH = new Set(['healthz', 'livez', 'readyz'])

export function parseRoute(rawUrl: string, kinds: readonly KindInfo[] = KINDS): Route {
  let url: URL
  try {
    url = new URL(rawUrl, 'http://localhost')
  } catch {
    return { kind: 'notFound' }
  }
  let segs: string[]
  try {
    segs = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s))
  } catch {
    return { kind: 'notFound' }
  }
  const q = url.searchParams
  if (segs.length === 0) return { kind: 'notFound' }
  const [head] = segs
  if (head === 'version' && segs.length === 1) return { kind: 'version' }
  if (HEALTH.has(head) && segs.length <= 2) {
    return { kind: 'health', check: head as 'healthz', verbose: q.has('verbose') && q.get('verbose') !== 'false', single: segs[1] }
  }
  if (head === 'openapi') {
    if (segs[1] !== 'v3') return { kind: 'notFound' }
    if (segs.length === 2) return { kind: 'openapiIndex' }
    if (segs[2] === 'api' && segs.length === 4) return { kind: 'openapi', group: '', version: segs[3] }
    if (segs[2] === 'apis' && segs.length === 5) return { kind: 'openapi', group: segs[3], version: segs[4] }
    return { kind: 'notFound' }
  }
  let group: string
  let version: string
  let rest: string[]
  if (head === 'api') {
    if (segs.length === 1) return { kind: 'discovery', root: 'api' }
    group = ''
    version = segs[1]
    rest = segs.slice(2)
  } else if (head === 'apis') {
    if (segs.length === 1) return { kind: 'discovery', root: 'apis' }
    if (segs.length === 2) return { kind: 'group', group: segs[1] }
    group = segs[1]
    version = segs[2]
    rest = segs.slice(3)
  } else {
    return { kind: 'notFound' }
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version }
  let watchPath = false
  if (rest[0] === 'watch') {
    watchPath = true
    rest = rest.slice(1)
    if (rest.length === 0) return { kind: 'notFound' }
  }
  let namespace: string | undefined
  // namespaces/NS/<plural>/... ; but namespaces/NAME and namespaces/NAME/status|finalize address a Namespace.
  if (rest[0] === 'namespaces' && group === '' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1]
    rest = rest.slice(2)
  } else if (rest[0] === 'namespaces' && group !== '' && rest.length >= 3) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  if (rest.length > 3) return { kind: 'notFound' }
  const [resource, name, subresource] = rest
  const info = findKind(group, version, resource, kinds)
  if (!info) return { kind: 'unknownResource', group, version, resource }
  if (namespace !== undefined && !info.namespaced) return { kind: 'notFound' }
  if (subresource !== undefined && !(info.subresources as readonly string[]).includes(subresource)) return { kind: 'notFound' }
  return { kind: 'resource', info, namespace, name, subresource, watchPath, query: q }
}
