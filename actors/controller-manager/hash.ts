// pod-template-hash: a short stable hash of a pod template (FNV-1a 32 over canonical JSON,
// written with the "safe" alphabet Kubernetes uses so it never spells words).
import type { PodTemplateSpec } from '../../protocols/k8s.ts'

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}

export function fnv32a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

export function safeEncode(n: number): string {
  let x = n >>> 0
  let out = ''
  do {
    out = ALPHABET[x % ALPHABET.length] + out
    x = Math.floor(x / ALPHABET.length)
  } while (x > 0)
  return out
}

export function podTemplateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const t = structuredClone(template)
  if (t.metadata?.labels) delete t.metadata.labels['pod-template-hash']
  return safeEncode(fnv32a(canonical(t) + (collisionCount ? `#${collisionCount}` : '')))
}

/** Templates equal once the pod-template-hash label is ignored (deployment util EqualIgnoreHash). */
export function templatesEqualIgnoringHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  const strip = (t: PodTemplateSpec) => {
    const c = structuredClone(t)
    if (c.metadata?.labels) {
      delete c.metadata.labels['pod-template-hash']
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata
    return canonical(c)
  }
  return strip(a) === strip(b)
}
