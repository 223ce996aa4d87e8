// Label selectors, one implementation for the API server and the client library: the string
// form of the API (`app=web,tier!=db,env in (a,b),!canary`) and metav1.LabelSelector objects,
// as requirements, and matching. Pure.
import type { LabelSelector } from './k8s.ts'

export type Requirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' }

export type Selector = Requirement[]

/** A selector string that does not parse; `why` says which part and how. */
export class SelectorSyntaxError extends Error {
  constructor(readonly selector: string, readonly why: string) {
    super(`invalid label selector "${selector}": ${why}`)
  }
}

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** Split on commas that are not inside parentheses. */
export function splitTop(s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out
}

/** Parse a label selector string; '' or undefined is the empty selector (matches everything). */
export function parseLabelRequirements(s: string | undefined): Selector {
  if (s === undefined || s.trim() === '') return []
  const fail = (why: string) => new SelectorSyntaxError(s, why)
  const reqs: Selector = []
  for (const raw of splitTop(s)) {
    const part = raw.trim()
    if (part === '') throw fail('empty requirement')
    let m: RegExpExecArray | null
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => v.trim())
      if (!keyRe.test(m[1]!)) throw fail(`invalid key "${m[1]}"`)
      for (const v of values) if (!valueRe.test(v)) throw fail(`invalid value "${v}"`)
      reqs.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values })
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      if (!keyRe.test(m[1]!)) throw fail(`invalid key "${m[1]}"`)
      if (!valueRe.test(m[3]!)) throw fail(`invalid value "${m[3]}"`)
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! })
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      if (!keyRe.test(m[1]!)) throw fail(`invalid key "${m[1]}"`)
      reqs.push({ key: m[1]!, op: '!' })
    } else if (keyRe.test(part)) {
      reqs.push({ key: part, op: 'exists' })
    } else throw fail(`"${part}" is not a valid requirement`)
  }
  return reqs
}

export function matches(sel: Selector, get: (key: string) => string | undefined): boolean {
  for (const r of sel) {
    const v = get(r.key)
    switch (r.op) {
      case '=': if (v !== r.value) return false; break
      case '!=': if (v === r.value) return false; break
      case 'in': if (v === undefined || !r.values.includes(v)) return false; break
      case 'notin': if (v !== undefined && r.values.includes(v)) return false; break
      case 'exists': if (v === undefined) return false; break
      case '!': if (v !== undefined) return false; break
    }
  }
  return true
}

/** Whether a label map satisfies the selector. */
export function labelsMatch(sel: Selector, labels: Record<string, string> | undefined): boolean {
  return matches(sel, (k) => (labels && Object.hasOwn(labels, k) ? labels[k] : undefined))
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as requirements. */
export function fromLabelSelector(ls: LabelSelector | undefined): Selector {
  const out: Selector = []
  for (const [key, value] of Object.entries(ls?.matchLabels ?? {})) out.push({ key, op: '=', value })
  for (const e of ls?.matchExpressions ?? []) {
    if (e.operator === 'In') out.push({ key: e.key, op: 'in', values: e.values ?? [] })
    else if (e.operator === 'NotIn') out.push({ key: e.key, op: 'notin', values: e.values ?? [] })
    else if (e.operator === 'Exists') out.push({ key: e.key, op: 'exists' })
    else out.push({ key: e.key, op: '!' })
  }
  return out
}
