// Ingress routing (pure): host and path rules -> a Service backend -> a ready endpoint.
// Hosts match exactly or by a leading wildcard label ("*.example.com" matches one label);
// paths: the longest matching path wins, Exact before Prefix at equal length; Prefix matches
// whole path elements ("/foo" matches "/foo" and "/foo/bar", not "/foobar").
import type { Endpoints, KObject, Service } from '../../../protocols/k8s.ts'

export interface IngressBackendRef {
  service: { name: string; port: { number?: number; name?: string } }
}

export interface IngressPath {
  path?: string
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific'
  backend: IngressBackendRef
}

export interface Ingress extends KObject {
  spec: {
    ingressClassName?: string
    defaultBackend?: IngressBackendRef
    rules?: Array<{ host?: string; http?: { paths: IngressPath[] } }>
  }
}

export interface Route {
  namespace: string
  ingress: string
  host: string | undefined
  path: string
  exact: boolean
  backend: IngressBackendRef
}

export interface RouteMatch {
  route: Route
}

export function compileRoutes(ingresses: Ingress[]): { routes: Route[]; defaults: Route[] } {
  const routes: Route[] = []
  const defaults: Route[] = []
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default'
    const name = ing.metadata.name ?? ''
    for (const rule of ing.spec.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        routes.push({ namespace: ns, ingress: name, host: rule.host?.toLowerCase(), path: p.path ?? '/', exact: p.pathType === 'Exact', backend: p.backend })
      }
    }
    if (ing.spec.defaultBackend) defaults.push({ namespace: ns, ingress: name, host: undefined, path: '/', exact: false, backend: ing.spec.defaultBackend })
  }
  return { routes, defaults }
}

export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined || ruleHost === '') return true
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1)
    if (!host.endsWith(suffix)) return false
    const label = host.slice(0, -suffix.length)
    return label.length > 0 && !label.includes('.')
  }
  return ruleHost === host
}

export function pathMatches(route: Route, path: string): boolean {
  if (route.exact) return path === route.path
  const prefix = route.path.endsWith('/') ? route.path.slice(0, -1) : route.path
  if (prefix === '') return true
  return path === prefix || path.startsWith(`${prefix}/`)
}

/** The route for a request, or undefined (404). Host rules beat rules without a host. */
export function matchRoute(table: { routes: Route[]; defaults: Route[] }, rawHost: string | undefined, rawPath: string): Route | undefined {
  const host = (rawHost ?? '').replace(/:\d+$/, '').toLowerCase()
  const path = rawPath.split('?')[0] || '/'
  let best: Route | undefined
  let bestScore = -1
  for (const r of table.routes) {
    if (!hostMatches(r.host, host) || !pathMatches(r, path)) continue
    const hostScore = r.host === undefined ? 0 : r.host.startsWith('*.') ? 1 : 2
    const score = hostScore * 1e6 + r.path.length * 2 + (r.exact ? 1 : 0)
    if (score > bestScore) {
      best = r
      bestScore = score
    }
  }
  return best ?? table.defaults[0]
}

/** Ready endpoint addresses for a backend, resolving the service port to the endpoint port. */
export function backendTargets(route: Route, services: Map<string, Service>, endpoints: Map<string, Endpoints>): Array<{ host: string; port: number }> {
  const key = `${route.namespace}/${route.backend.service.name}`
  const svc = services.get(key)
  const ep = endpoints.get(key)
  if (!svc || !ep) return []
  const want = route.backend.service.port
  const sp = (svc.spec.ports ?? []).find((p) => (want.name !== undefined ? p.name === want.name : p.port === want.number))
  if (!sp) return []
  const out: Array<{ host: string; port: number }> = []
  for (const s of ep.subsets ?? []) {
    const port = (s.ports ?? []).find((p) => (sp.name ? p.name === sp.name : true))?.port
    if (port === undefined) continue
    for (const a of s.addresses ?? []) out.push({ host: a.ip, port })
  }
  return out
}
