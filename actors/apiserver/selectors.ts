// Label selectors (equality and set-based, the kubectl syntax) and field selectors.
import type { KObject, LabelSelector } from '../../protocols/k8s.ts'
import { badRequest } from './errors.ts'

export type Requirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' }

export type Selector = Requirement[]

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

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
  return out
}

/** Parse a label selector; a bad one is a 400 naming the selector. */
export function parseLabelSelector(s: string | undefined): Selector {
  if (s === undefined || s.trim() === '') return []
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why}`, [{ reason: 'FieldValueInvalid', field: 'labelSelector', message: `invalid label selector "${s}": ${why}` }])
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

export function matchLabels(sel: Selector, obj: KObject): boolean {
  const labels = obj.metadata.labels ?? {}
  return matches(sel, (k) => (Object.hasOwn(labels, k) ? labels[k] : undefined))
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

/** The fields each kind supports in field selectors (metadata.name/namespace everywhere). */
const FIELDS: Record<string, string[]> = {
  pods: ['spec.nodeName', 'spec.schedulerName', 'spec.restartPolicy', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  secrets: ['type'],
  replicasets: ['status.replicas'],
  replicationcontrollers: ['status.replicas'],
  jobs: ['status.successful'],
}

export function fieldValue(obj: KObject, path: string): string | undefined {
  if (path === 'source') return (obj as { source?: { component?: string } }).source?.component ?? ''
  let cur: unknown = obj
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return ''
    cur = (cur as Record<string, unknown>)[p]
  }
  if (cur === undefined || cur === null) return ''
  return String(cur)
}

/** Parse a field selector for `resource`; unsupported fields and bad syntax are 400s. */
export function parseFieldSelector(s: string | undefined, resource: string): Selector {
  if (s === undefined || s.trim() === '') return []
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELDS[resource] ?? [])])
  const out: Selector = []
  for (const raw of s.split(',')) {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw)
    if (!m) throw badRequest(`invalid field selector "${s}": "${raw}" is not key=value`, [{ reason: 'FieldValueInvalid', field: 'fieldSelector', message: `invalid selector "${raw}"` }])
    if (!allowed.has(m[1]!)) {
      throw badRequest(`"${m[1]}" is not a known field selector: only "${[...allowed].join('", "')}"`, [{ reason: 'FieldValueNotSupported', field: 'fieldSelector', message: `field label not supported: ${m[1]}` }])
    }
    out.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! })
  }
  return out
}

export function matchFields(sel: Selector, obj: KObject): boolean {
  return matches(sel, (k) => fieldValue(obj, k))
}
