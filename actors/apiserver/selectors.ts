// Label selectors (equality and set-based, the kubectl syntax) and field selectors.
import type { KObject } from '../../protocols/k8s.ts'
import { labelsMatch, matches, parseLabelRequirements, SelectorSyntaxError, type Selector } from '../../protocols/selectors.ts'
import { badRequest } from './errors.ts'

export type { Requirement, Selector } from '../../protocols/selectors.ts'
export { fromLabelSelector, matches } from '../../protocols/selectors.ts'

/** Parse a label selector; a bad one is a 400 naming the selector. */
export function parseLabelSelector(s: string | undefined): Selector {
  try {
    return parseLabelRequirements(s)
  } catch (err) {
    if (!(err instanceof SelectorSyntaxError)) throw err
    throw badRequest(`unable to parse requirement: ${err.why}`, [{ reason: 'FieldValueInvalid', field: 'labelSelector', message: err.message }])
  }
}

export function matchLabels(sel: Selector, obj: KObject): boolean {
  return labelsMatch(sel, obj.metadata.labels)
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

/** The value a field selector requires of `field` (`field=value`), if it requires one. */
export function requiredValue(fields: Selector, field: string): string | undefined {
  for (const r of fields) if (r.key === field && r.op === '=') return r.value
  return undefined
}

/** The one name a field selector allows (metadata.name=x), if it names one. */
export function singleName(fields: Selector): string | undefined {
  const v = requiredValue(fields, 'metadata.name')
  return v === '' ? undefined : v
}

export function matchFields(sel: Selector, obj: KObject): boolean {
  return matches(sel, (k) => fieldValue(obj, k))
}
