// Strategic merge patch, as kube-apiserver applies it to the kinds served here: lists of
// objects merge by their merge key, `$patch: delete|replace|merge`, `$setElementOrder/<field>`,
// `$retainKeys`, `$deleteFromPrimitiveList/<field>`, null deletes a field.
import { badRequest } from '../errors.ts'
import { isPlainObject } from './merge.ts'

type Obj = Record<string, unknown>

/** Merge keys by field name; `ports` depends on the list (containerPort for containers, port for services). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  addresses: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  tolerations: 'key',
}

/** Lists of primitives merged as sets. */
export const SET_LISTS = new Set(['finalizers'])

export function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const sample = items.find(isPlainObject)
    return sample && 'containerPort' in sample ? 'containerPort' : 'port'
  }
  return MERGE_KEYS[field]
}

export function strategicMergePatch(original: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) throw badRequest('strategic merge patch must be a JSON object')
  return mergeMap(isPlainObject(original) ? original : {}, patch)
}

function mergeMap(orig: Obj, patch: Obj): Obj | undefined {
  const directive = patch.$patch
  if (directive === 'delete') return undefined
  if (directive === 'replace') return stripDirectives(patch) as Obj
  const out: Obj = { ...orig }
  const retain = patch.$retainKeys
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length)
      const cur = out[f]
      if (Array.isArray(cur) && Array.isArray(v)) out[f] = cur.filter((x) => !v.includes(x))
      continue
    }
    if (v === null) {
      delete out[k]
      continue
    }
    const cur = out[k]
    if (Array.isArray(v)) out[k] = mergeList(k, Array.isArray(cur) ? cur : [], v)
    else if (isPlainObject(v)) {
      const m = mergeMap(isPlainObject(cur) ? cur : {}, v)
      if (m === undefined) delete out[k]
      else out[k] = m
    } else out[k] = v
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/') || !Array.isArray(order)) continue
    const f = k.slice('$setElementOrder/'.length)
    const list = out[f]
    if (Array.isArray(list)) out[f] = reorder(f, list, order)
  }
  return out
}

function mergeList(field: string, orig: unknown[], patch: unknown[]): unknown[] {
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p.$patch === 'replace')).map(stripDirectives)
  }
  if (SET_LISTS.has(field)) {
    const out = [...orig]
    for (const p of patch) if (!out.includes(p)) out.push(p)
    return out
  }
  const key = mergeKeyFor(field, [...patch, ...orig])
  if (!key || !patch.every(isPlainObject)) return patch.map(stripDirectives)
  const out: unknown[] = orig.map((x) => x)
  for (const p of patch as Obj[]) {
    const idx = out.findIndex((o) => isPlainObject(o) && o[key] === p[key])
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1)
      continue
    }
    if (idx >= 0) {
      const m = mergeMap(out[idx] as Obj, p)
      if (m === undefined) out.splice(idx, 1)
      else out[idx] = m
    } else out.push(stripDirectives(p))
  }
  return out
}

function reorder(field: string, list: unknown[], order: unknown[]): unknown[] {
  const key = mergeKeyFor(field, list)
  const id = (x: unknown): unknown => (key && isPlainObject(x) ? x[key] : x)
  const orderIds = order.map((o) => id(o))
  const ranked = list.map((x, i) => ({ x, i, r: orderIds.indexOf(id(x)) }))
  ranked.sort((a, b) => {
    if (a.r >= 0 && b.r >= 0) return a.r - b.r
    if (a.r >= 0) return -1
    if (b.r >= 0) return 1
    return a.i - b.i
  })
  return ranked.map((e) => e.x)
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives)
  if (!isPlainObject(v)) return v
  const out: Obj = {}
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue
    out[k] = stripDirectives(x)
  }
  return out
}
