// Label and field selectors for the client library: the string forms of the API and
// metav1.LabelSelector objects, compiled to predicates (the parsing is protocols/selectors.ts,
// shared with the API server). Pure.
import type { KObject, LabelSelector } from '../../protocols/k8s.ts'
import { fromLabelSelector, labelsMatch, matches, parseLabelRequirements, SelectorSyntaxError, splitTop } from '../../protocols/selectors.ts'
import { ActorkubeError } from '../../runtime/errors.ts'

export class SelectorError extends ActorkubeError {
  constructor(selector: string, why: string) {
    super('SELECTOR_INVALID', `invalid selector ${JSON.stringify(selector)}: ${why}`)
  }
}

export type LabelPredicate = (labels: Record<string, string> | undefined) => boolean

/** Compile a label selector string; '' or undefined matches everything. Throws SelectorError. */
export function parseLabelSelector(sel: string | undefined): LabelPredicate {
  try {
    const reqs = parseLabelRequirements(sel)
    return (labels) => labelsMatch(reqs, labels)
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new SelectorError(err.selector, err.why)
    throw err
  }
}

/** Compile a metav1.LabelSelector. An empty selector matches everything; undefined matches nothing. */
export function labelSelectorMatcher(sel: LabelSelector | undefined): LabelPredicate {
  if (!sel) return () => false
  const reqs = fromLabelSelector(sel)
  return (labels) => labelsMatch(reqs, labels)
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

/** Compile a field selector (`spec.nodeName=node-1,status.phase!=Failed`): =, == and != only. */
export function parseFieldSelector(sel: string | undefined): (obj: KObject) => boolean {
  if (sel === undefined || sel.trim() === '') return () => true
  const reqs = splitTop(sel).map((x) => x.trim()).filter((x) => x.length > 0).map((term) => {
    const m = /^([^=!\s()]+)\s*(==|=|!=)\s*([^\s,()!=]*)$/.exec(term)
    if (!m) throw new SelectorError(sel, `field selectors support =, == and != only, got ${JSON.stringify(term)}`)
    return { key: m[1] as string, op: m[2] === '!=' ? ('!=' as const) : ('=' as const), value: m[3] as string }
  })
  return (obj) => matches(reqs, (k) => fieldValue(obj, k))
}
