// The part of the API client the scenario workload uses (get, list, create), over the
// apiservers' HTTP gateways, for real-time runs driven from the CLI process. Tries each
// instance in turn, so an apiserver crash fails over like the in-cluster client.
import type { ApiClient } from '../../actors/client/types.ts'
import type { ResourceRef } from '../../protocols/api.ts'
import type { KList, KObject, Status } from '../../protocols/k8s.ts'

export type WorkloadApi = Pick<ApiClient, 'get' | 'list' | 'create'>

function path(ref: ResourceRef, ns: string | undefined, name?: string): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`
  return `${base}${ns ? `/namespaces/${ns}` : ''}/${ref.resource}${name ? `/${name}` : ''}`
}

class HttpApiError extends Error {
  readonly code = 'API_ERROR'
  constructor(readonly status: Status) {
    super(status.message ?? `HTTP ${String(status.code)}`)
  }
}

export function httpApi(endpoints: () => string[], opts: { token?: string; timeoutMs?: number } = {}): WorkloadApi {
  const call = async (method: string, p: string, body?: unknown): Promise<{ code: number; body: unknown }> => {
    let last: unknown
    for (const base of endpoints()) {
      try {
        const res = await fetch(base + p, {
          method,
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 2000),
        })
        const json: unknown = await res.json().catch(() => ({}))
        if (res.status >= 500) {
          last = new HttpApiError(json as Status)
          continue
        }
        return { code: res.status, body: json }
      } catch (err) {
        last = err
      }
    }
    throw last ?? new Error('no apiserver endpoint')
  }
  const ok = <T>(r: { code: number; body: unknown }): T => {
    if (r.code >= 300) throw new HttpApiError(r.body as Status)
    return r.body as T
  }
  return {
    get: async <T extends KObject>(ref: ResourceRef, ns: string | undefined, name: string) => {
      const r = await call('GET', path(ref, ns, name))
      return r.code === 404 ? undefined : ok<T>(r)
    },
    list: async <T extends KObject>(ref: ResourceRef, ns: string | undefined) => ok<KList<T>>(await call('GET', path(ref, ns))),
    create: async <T extends KObject>(ref: ResourceRef, ns: string | undefined, body: KObject) => ok<T>(await call('POST', path(ref, ns), body)),
  } as WorkloadApi
}
