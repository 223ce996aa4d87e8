// Small helpers on stored objects: identity, timestamps, equality, the Scale view.
import type { KObject } from '../../protocols/k8s.ts'
import { apiVersionOf, type KindInfo } from './kinds.ts'

const GEN_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** Five characters as kube-apiserver appends to generateName. */
export function generateSuffix(random: () => number): string {
  let s = ''
  for (let i = 0; i < 5; i++) s += GEN_ALPHABET[Math.floor(random() * GEN_ALPHABET.length)]
  return s
}

/** An RFC 4122 version-4 shaped uid from the (seeded) random source. */
export function newUid(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`
}

/** metav1.Time: RFC 3339 with second precision. */
export function timestamp(ms: number): string {
  return new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z')
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]))
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  if (ka.length !== kb.length) return false
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** The object as stored: no resourceVersion (the store's modRevision is the version). */
export function forStorage(o: KObject): KObject {
  const { resourceVersion: _rv, ...meta } = o.metadata
  return { ...o, metadata: meta }
}

export function withRv(o: KObject, rev: number): KObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } }
}

export function typeMeta(ki: KindInfo, o: KObject): KObject {
  return { apiVersion: apiVersionOf(ki), kind: ki.kind, ...o }
}

/** autoscaling/v1 Scale for a workload. */
export function toScale(o: KObject): KObject {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } | Record<string, string> }
  const status = (o.status ?? {}) as { replicas?: number }
  const sel = spec.selector && 'matchLabels' in spec.selector ? (spec.selector.matchLabels ?? {}) : ((spec.selector ?? {}) as Record<string, string>)
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') },
  }
}
