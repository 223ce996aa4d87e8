// A container's environment as the kubelet builds it: envFrom (ConfigMaps and Secrets, with a
// prefix), then env in order (values with $(VAR) references to the variables before them;
// valueFrom a pod field, a resource, a ConfigMap key or a Secret key). A missing source that is
// not optional is a CreateContainerConfigError naming it. Pure but for the object lookups.
import type { Container, KObject, Pod } from '../../protocols/k8s.ts'
import { parseQuantity } from '../../protocols/quantity.ts'

export interface EnvSources {
  /** A ConfigMap or Secret of the pod's namespace, undefined when there is none. */
  get(resource: 'configmaps' | 'secrets', namespace: string, name: string): Promise<KObject | undefined>
}

export interface PodFacts {
  podIP: string
  hostIP: string
  nodeName: string
  /** The node's allocatable cpu and memory, for resourceFieldRef limits that are not set. */
  allocatable: { cpu?: string; memory?: string }
}

/** The container cannot be configured (the kubelet's CreateContainerConfigError). */
export class EnvConfigError extends Error {
  readonly code = 'CreateContainerConfigError'
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/

/** Replace $(NAME) with the value of a variable defined so far; $$ escapes; unknown references stay. */
export function expand(s: string, vars: Record<string, string>): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (ch !== '$' || i + 1 >= s.length) {
      out += ch
      continue
    }
    const next = s[i + 1]
    if (next === '$') {
      out += '$'
      i++
    } else if (next === '(') {
      const end = s.indexOf(')', i + 2)
      if (end < 0) {
        out += s.slice(i)
        break
      }
      const name = s.slice(i + 2, end)
      out += Object.hasOwn(vars, name) ? vars[name] : `$(${name})`
      i = end
    } else out += ch
  }
  return out
}

/** The environment of `c`, on top of `base` (variables the runtime always sets, which the pod may override). */
export async function containerEnv(pod: Pod, c: Container, facts: PodFacts, sources: EnvSources, base: Record<string, string> = {}): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? 'default'
  const cache = new Map<string, Promise<KObject | undefined>>()
  const lookup = (resource: 'configmaps' | 'secrets', name: string): Promise<KObject | undefined> => {
    const k = `${resource}/${name}`
    let p = cache.get(k)
    if (!p) cache.set(k, (p = sources.get(resource, ns, name)))
    return p
  }
  const env: Record<string, string> = { ...base }
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef
    const resource = from.configMapRef ? 'configmaps' : 'secrets'
    if (!ref?.name) continue
    const obj = await lookup(resource, ref.name)
    if (!obj) {
      if (ref.optional) continue
      throw new EnvConfigError(`${resource === 'configmaps' ? 'configmap' : 'secret'} "${ref.name}" not found`)
    }
    for (const [k, v] of Object.entries(dataOf(obj, resource))) {
      const name = `${from.prefix ?? ''}${k}`
      if (ENV_NAME.test(name)) env[name] = v
    }
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expand(e.value ?? '', env)
      continue
    }
    const v = await valueFrom(pod, c, e.name, e.valueFrom, facts, lookup)
    if (v !== undefined) env[e.name] = v
  }
  return env
}

type Lookup = (resource: 'configmaps' | 'secrets', name: string) => Promise<KObject | undefined>

async function valueFrom(pod: Pod, c: Container, name: string, from: NonNullable<NonNullable<Container['env']>[number]['valueFrom']>, facts: PodFacts, lookup: Lookup): Promise<string | undefined> {
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, facts, name)
  if (from.resourceFieldRef) return resourceValue(pod, c, from.resourceFieldRef, facts, name)
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef
  if (!keyRef) return undefined
  const resource = from.configMapKeyRef ? 'configmaps' : 'secrets'
  const what = resource === 'configmaps' ? 'configmap' : 'secret'
  const obj = keyRef.name ? await lookup(resource, keyRef.name) : undefined
  if (!obj) {
    if (keyRef.optional) return undefined
    throw new EnvConfigError(`${what} "${keyRef.name ?? ''}" not found`)
  }
  const data = dataOf(obj, resource)
  if (!Object.hasOwn(data, keyRef.key)) {
    if (keyRef.optional) return undefined
    throw new EnvConfigError(`couldn't find key ${keyRef.key} in ${what.charAt(0).toUpperCase()}${what.slice(1)} ${pod.metadata.namespace ?? 'default'}/${keyRef.name ?? ''}`)
  }
  return data[keyRef.key]
}

function dataOf(obj: KObject, resource: 'configmaps' | 'secrets'): Record<string, string> {
  const o = obj as KObject & { data?: Record<string, string>; binaryData?: Record<string, string> }
  if (resource === 'configmaps') return { ...(o.data ?? {}) }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8')
  return out
}

function fieldValue(pod: Pod, path: string, facts: PodFacts, name: string): string {
  const m = pod.metadata
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
  if (keyed) return (keyed[1] === 'labels' ? m.labels : m.annotations)?.[keyed[2]!] ?? ''
  switch (path) {
    case 'metadata.name': return m.name ?? ''
    case 'metadata.namespace': return m.namespace ?? 'default'
    case 'metadata.uid': return m.uid ?? ''
    case 'metadata.labels': return formatMap(m.labels)
    case 'metadata.annotations': return formatMap(m.annotations)
    case 'spec.nodeName': return pod.spec.nodeName ?? facts.nodeName
    case 'spec.serviceAccountName': return String(pod.spec.serviceAccountName ?? '')
    case 'status.hostIP': case 'status.hostIPs': return facts.hostIP
    case 'status.podIP': case 'status.podIPs': return facts.podIP
  }
  throw new EnvConfigError(`env ${name}: unsupported fieldRef.fieldPath "${path}"`)
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join('\n')
}

function resourceValue(pod: Pod, c: Container, ref: { resource: string; containerName?: string; divisor?: string | number }, facts: PodFacts, name: string): string {
  const target = ref.containerName ? pod.spec.containers.find((x) => x.name === ref.containerName) : c
  if (!target) throw new EnvConfigError(`env ${name}: resourceFieldRef.containerName "${ref.containerName ?? ''}" is not a container of the pod`)
  const [kind, res] = ref.resource.split('.') as [string, string]
  if ((kind !== 'limits' && kind !== 'requests') || (res !== 'cpu' && res !== 'memory' && res !== 'ephemeral-storage')) {
    throw new EnvConfigError(`env ${name}: unsupported resourceFieldRef.resource "${ref.resource}"`)
  }
  const declared = target.resources?.[kind]?.[res] ?? (kind === 'requests' ? target.resources?.limits?.[res] : undefined)
  const fallback = kind === 'limits' && res !== 'ephemeral-storage' ? facts.allocatable[res] : undefined
  const q = declared ?? fallback
  if (q === undefined) return '0'
  const divisor = parseQuantity(ref.divisor ?? 1)
  const value = parseQuantity(q) / (divisor > 0 ? divisor : 1)
  // Rounded up to a whole number of divisors, as the kubelet does.
  return String(Math.ceil(value - 1e-9))
}
