// Label and field selectors: the string forms of the API (`app=web,tier!=db,env in (a,b)`) and
// metav1.LabelSelector objects, compiled to predicates. Pure.
import type { KObject, LabelSelector } from '../../protocols/k8s.ts'
import { ActorkubeError } from '../../runtime/errors.ts'

export class SelectorError extends ActorkubeError {
  constructor(selector: string, why: string) {
    super('SELECTOR_INVALID', `invalid selector ${JSON.stringify(selector)}: ${why}`)
  }
}

export type LabelPredicate = (labels: Record<string, string> | undefined) => boolean

interface Requirement {
  key: string
  op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'notexists'
  values: string[]
}

/** Split on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
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
  return out.map((x) => x.trim()).filter((x) => x.length > 0)
}

function parseRequirement(term: string, whole: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term)
  if (set) {
    const values = (set[3] as string).split(',').map((v) => v.trim()).filter((v) => v.length > 0)
    return { key: set[1] as string, op: set[2] as 'in' | 'notin', values }
  }
  const ne = /^([^=!\s]+)\s*!=\s*([^\s,()!=]*)$/.exec(term)
  if (ne) return { key: ne[1] as string, op: 'ne', values: [ne[2] as string] }
  const eq = /^([^=!\s]+)\s*==?\s*([^\s,()!=]*)$/.exec(term)
  if (eq) return { key: eq[1] as string, op: 'eq', values: [eq[2] as string] }
  const not = /^!\s*([^=!\s()]+)$/.exec(term)
  if (not) return { key: not[1] as string, op: 'notexists', values: [] }
  if (/^[^=!\s()]+$/.test(term)) return { key: term, op: 'exists', values: [] }
  throw new SelectorError(whole, `cannot parse ${JSON.stringify(term)}`)
}

function matches(reqs: Requirement[], get: (key: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = get(r.key)
    switch (r.op) {
      case 'eq': if (v !== r.values[0]) return false; break
      case 'ne': if (v === r.values[0]) return false; break
      case 'in': if (v === undefined || !r.values.includes(v)) return false; break
      case 'notin': if (v !== undefined && r.values.includes(v)) return false; break
      case 'exists': if (v === undefined) return false; break
      case 'notexists': if (v !== undefined) return false; break
    }
  }
  return true
}

/** Compile a label selector string; '' or undefined matches everything. Throws SelectorError. */
export function parseLabelSelector(sel: string | undefined): LabelPredicate {
  if (sel === undefined || sel.trim() === '') return () => true
  const reqs = splitTop(sel).map((t) => parseRequirement(t, sel))
  return (labels) => matches(reqs, (k) => labels?.[k])
}

/** Compile a metav1.LabelSelector. An empty selector matches everything; undefined matches nothing. */
export function labelSelectorMatcher(sel: LabelSelector | undefined): LabelPredicate {
  if (!sel) return () => false
  const reqs: Requirement[] = []
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, op: 'eq', values: [value] })
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : 'notexists'
    reqs.push({ key: e.key, op, values: e.values ?? [] })
  }
  return (labels) => matches(reqs, (k) => labels?.[k])
}

/** The string form of a metav1.LabelSelector (for list/watch calls). */
export function formatLabelSelector(sel: LabelSelector): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`)
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key)
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`)
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`)
  }
  return parts.join(',')
}

/** Read a dotted field path (`spec.nodeName`, `metadata.name`) as a string, '' when absent. */
export function fieldValue(obj: KObject, path: string): string | undefined {
  let cur: unknown = obj
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[p]
  }
  if (cur === undefined || cur === null) return ''
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur)
}

/** Compile a field selector (`spec.nodeName=node-1,status.phase!=Failed`). */
export function parseFieldSelector(sel: string | undefined): (obj: KObject) => boolean {
  if (sel === undefined || sel.trim() === '') return () => true
  const reqs = splitTop(sel).map((t) => parseRequirement(t, sel))
  for (const r of reqs) if (r.op !== 'eq' && r.op !== 'ne') throw new SelectorError(sel, 'field selectors support =, == and != only')
  return (obj) => matches(reqs, (k) => fieldValue(obj, k))
}
