// Label selectors (metav1.LabelSelector and the map selectors of Services/RCs), as pure functions.
import type { LabelSelector } from '../../protocols/k8s.ts'

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false
  const l = labels ?? {}
  const ml = sel.matchLabels ?? {}
  const me = sel.matchExpressions ?? []
  if (Object.keys(ml).length === 0 && me.length === 0) return true
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false
  for (const r of me) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key)
    const vals = r.values ?? []
    switch (r.operator) {
      case 'In': if (!has || !vals.includes(l[r.key])) return false; break
      case 'NotIn': if (has && vals.includes(l[r.key])) return false; break
      case 'Exists': if (!has) return false; break
      case 'DoesNotExist': if (has) return false; break
      default: return false
    }
  }
  return true
}

/** A map selector (Service, ReplicationController): empty or absent selects nothing. */
export function mapSelectorMatches(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || Object.keys(sel).length === 0) return false
  const l = labels ?? {}
  return Object.entries(sel).every(([k, v]) => l[k] === v)
}

export function selectorIsEmpty(sel: LabelSelector | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
}
