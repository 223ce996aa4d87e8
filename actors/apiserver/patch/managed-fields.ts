// Field ownership (metadata.managedFields, FieldsV1): which manager set which field, the
// conflicts a server-side apply meets when it changes another manager's field, and the fields an
// applier stops applying, which are removed unless another manager still owns them.
//
// A field is a path of elements as in FieldsV1: `f:<name>` a map field, `k:{"<key>":<value>}` an
// item of a list merged by key, `v:<json>` a member of a set list, `.` the list item itself.
import { ApiError } from '../errors.ts'
import { deepEqual } from '../objects.ts'
import { isPlainObject } from './merge.ts'
import { mergeKeyFor, SET_LISTS, strategicMergePatch } from './strategic.ts'
import type { KObject } from '../../../protocols/k8s.ts'

type Obj = Record<string, unknown>

export interface ManagedFieldsEntry {
  manager: string
  operation: 'Apply' | 'Update'
  apiVersion?: string
  time?: string
  fieldsType?: 'FieldsV1'
  fieldsV1?: Obj
  subresource?: string
}

interface Owner {
  entry: ManagedFieldsEntry
  fields: Set<string>
}

const SEP = '\u0001'
/** Metadata the server sets: never owned by a manager. */
const SERVER_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName'])

/** Every owned path of an object (status and server-set metadata left out). */
export function fieldsOf(obj: unknown): Set<string> {
  const out = new Set<string>()
  if (!isPlainObject(obj)) return out
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status' || v === undefined) continue
    if (k === 'metadata' && isPlainObject(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SERVER_META.has(mk) && mv !== undefined) walk(mv, mk, [`f:metadata`, `f:${mk}`], out)
      continue
    }
    walk(v, k, [`f:${k}`], out)
  }
  return out
}

/** Empty maps and lists are nobody's field (an emptied `labels: {}` is not a change of owner). */
function walk(v: unknown, field: string, path: string[], out: Set<string>): void {
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) walk(x, k, [...path, `f:${k}`], out)
    return
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return
    if (SET_LISTS.has(field)) {
      for (const x of v) out.add([...path, `v:${JSON.stringify(x)}`].join(SEP))
      return
    }
    const key = mergeKeyFor(field, v)
    if (key && v.every((x) => isPlainObject(x) && x[key] !== undefined)) {
      for (const item of v as Obj[]) {
        const at = [...path, `k:${JSON.stringify({ [key]: item[key] })}`]
        out.add([...at, '.'].join(SEP))
        for (const [k, x] of Object.entries(item)) if (x !== undefined) walk(x, k, [...at, `f:${k}`], out)
      }
      return
    }
  }
  out.add(path.join(SEP))
}

/** The value at a path (undefined when absent); `.` is the list item itself. */
function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  for (const el of path.split(SEP)) {
    if (cur === undefined) return undefined
    if (el === '.') continue
    if (el.startsWith('f:')) cur = isPlainObject(cur) ? cur[el.slice(2)] : undefined
    else if (el.startsWith('k:')) {
      const want = JSON.parse(el.slice(2)) as Obj
      cur = Array.isArray(cur) ? cur.find((x) => isPlainObject(x) && Object.entries(want).every(([k, w]) => x[k] === w)) : undefined
    } else if (el.startsWith('v:')) {
      const want = JSON.parse(el.slice(2)) as unknown
      cur = Array.isArray(cur) && cur.some((x) => deepEqual(x, want)) ? want : undefined
    } else return undefined
  }
  return cur
}

/** Remove the field at a path from `obj` (in place); maps left empty by it go too. */
function removeAt(obj: Obj, path: string): void {
  const els = path.split(SEP)
  const chain: Array<{ holder: unknown; el: string }> = []
  let cur: unknown = obj
  for (const el of els) {
    if (el === '.') break
    chain.push({ holder: cur, el })
    cur = stepInto(cur, el)
    if (cur === undefined) return
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const { holder, el } = chain[i]!
    if (el.startsWith('f:') && isPlainObject(holder)) delete holder[el.slice(2)]
    else if (Array.isArray(holder)) {
      const idx = holder.findIndex((x) => matches(x, el))
      if (idx >= 0) holder.splice(idx, 1)
    }
    const parent = chain[i - 1]
    // Stop unless the holder is now an empty map or list that nothing else keeps.
    const empty = (isPlainObject(holder) && Object.keys(holder).length === 0) || (Array.isArray(holder) && holder.length === 0)
    if (!empty || !parent || i <= 1) return
  }
}

function stepInto(cur: unknown, el: string): unknown {
  if (el.startsWith('f:')) return isPlainObject(cur) ? cur[el.slice(2)] : undefined
  if (Array.isArray(cur)) return cur.find((x) => matches(x, el))
  return undefined
}

function matches(x: unknown, el: string): boolean {
  if (el.startsWith('k:')) {
    const want = JSON.parse(el.slice(2)) as Obj
    return isPlainObject(x) && Object.entries(want).every(([k, w]) => x[k] === w)
  }
  if (el.startsWith('v:')) return deepEqual(x, JSON.parse(el.slice(2)))
  return false
}

/** `.spec.containers[name="nginx"].image`, as kube-apiserver names a conflicting field. */
export function displayPath(path: string): string {
  let s = ''
  for (const el of path.split(SEP)) {
    if (el === '.') continue
    if (el.startsWith('f:')) s += `.${el.slice(2)}`
    else if (el.startsWith('k:')) s += `[${Object.entries(JSON.parse(el.slice(2)) as Obj).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`
    else if (el.startsWith('v:')) s += `[${el.slice(2)}]`
  }
  return s
}

// ---- FieldsV1 <-> path sets ----

export function toFieldsV1(fields: Set<string>): Obj {
  const root: Obj = {}
  for (const p of [...fields].sort()) {
    let node = root
    for (const el of p.split(SEP)) {
      node[el] ??= {}
      node = node[el] as Obj
    }
  }
  return root
}

export function fromFieldsV1(tree: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (!isPlainObject(tree)) return out
  for (const [el, sub] of Object.entries(tree)) {
    const at = [...prefix, el]
    if (isPlainObject(sub) && Object.keys(sub).length > 0) fromFieldsV1(sub, at, out)
    else out.add(at.join(SEP))
  }
  return out
}

function owners(obj: KObject): Owner[] {
  const mf = obj.metadata.managedFields
  if (!Array.isArray(mf)) return []
  return (mf as ManagedFieldsEntry[]).filter((e) => isPlainObject(e) && typeof e.manager === 'string').map((entry) => ({ entry: { ...entry }, fields: fromFieldsV1(entry.fieldsV1) }))
}

function sameOwner(e: ManagedFieldsEntry, manager: string, operation: string, subresource: string | undefined): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '')
}

function store(obj: KObject, list: Owner[]): void {
  const kept = list.filter((o) => o.fields.size > 0).map((o) => {
    const e: ManagedFieldsEntry = { ...o.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(o.fields) }
    if (!e.subresource) delete e.subresource
    return e
  })
  if (kept.length > 0) obj.metadata.managedFields = kept
  else delete obj.metadata.managedFields
}

function ownerFor(list: Owner[], manager: string, operation: 'Apply' | 'Update', subresource: string | undefined, apiVersion: string | undefined, time: string): Owner {
  let o = list.find((x) => sameOwner(x.entry, manager, operation, subresource))
  if (!o) {
    o = { entry: { manager, operation, ...(apiVersion ? { apiVersion } : {}), time, ...(subresource ? { subresource } : {}) }, fields: new Set() }
    list.push(o)
  }
  o.entry.time = time
  if (apiVersion) o.entry.apiVersion = apiVersion
  return o
}

export interface ApplyOptions {
  manager: string
  force: boolean
  time: string
  /** Kind and name for the conflict Status. */
  who: { kind: string; group?: string; name?: string }
}

/**
 * Server-side apply of `config` to `live`: refuses (409) when a field the config sets to another
 * value is owned by another manager, unless forced (then the field changes hands); removes the
 * fields this manager applied before and no longer applies, unless someone else owns them; merges
 * the config in and records the manager's fields. Returns the new object.
 */
export function serverSideApply(live: KObject, config: Obj, o: ApplyOptions): KObject {
  const list = owners(live)
  const applied = fieldsOf(config)
  const conflicts: Array<{ owner: Owner; path: string }> = []
  for (const other of list) {
    if (sameOwner(other.entry, o.manager, 'Apply', undefined)) continue
    for (const p of applied) {
      if (!other.fields.has(p) || p.endsWith(`${SEP}.`)) continue
      if (!deepEqual(valueAt(live, p), valueAt(config, p))) conflicts.push({ owner: other, path: p })
    }
  }
  if (conflicts.length > 0 && !o.force) throw applyConflict(conflicts, o.who)
  for (const c of conflicts) c.owner.fields.delete(c.path)

  const mine = ownerFor(list, o.manager, 'Apply', undefined, typeof config.apiVersion === 'string' ? config.apiVersion : live.apiVersion, o.time)
  const next = structuredClone(live) as unknown as Obj
  const dropped = [...mine.fields].filter((p) => !applied.has(p))
  // Deepest first, so an item's fields go before the item itself.
  dropped.sort((a, b) => b.split(SEP).length - a.split(SEP).length)
  for (const p of dropped) {
    const prefix = p.endsWith(`${SEP}.`) ? p.slice(0, -2) : p
    const keptByOther = list.some((x) => x !== mine && [...x.fields].some((f) => f === p || f.startsWith(prefix + SEP) || f === prefix))
    if (!keptByOther) removeAt(next, p)
  }
  const merged = strategicMergePatch(next, stripManaged(config)) as KObject
  const unchanged = conflicts.length === 0 && sameSet(mine.fields, applied) && deepEqual(withoutManaged(merged), withoutManaged(live))
  // A no-op apply leaves the object as it was, timestamps included, so nothing is written.
  if (unchanged && Array.isArray(live.metadata.managedFields) && live.metadata.managedFields.some((e) => sameOwner(e as ManagedFieldsEntry, o.manager, 'Apply', undefined))) return structuredClone(live)
  mine.fields = applied
  store(merged, list)
  return merged
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x))
}

function withoutManaged(o: KObject): KObject {
  const { managedFields: _mf, ...metadata } = o.metadata
  return { ...o, metadata }
}

function stripManaged(config: Obj): Obj {
  if (!isPlainObject(config.metadata) || !('managedFields' in config.metadata)) return config
  const { managedFields: _mf, ...metadata } = config.metadata
  return { ...config, metadata }
}

function applyConflict(conflicts: Array<{ owner: Owner; path: string }>, who: ApplyOptions['who']): ApiError {
  const using = (c: { owner: Owner }) => `conflict with "${c.owner.entry.manager}"${c.owner.entry.apiVersion ? ` using ${c.owner.entry.apiVersion}` : ''}`
  const n = conflicts.length
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${conflicts.map((c) => `${using(c)}: ${displayPath(c.path)}`).join('\n')}`
  return new ApiError({
    apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason: 'Conflict', code: 409,
    details: { name: who.name, group: who.group, kind: who.kind, causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: using(c), field: displayPath(c.path) })) },
  })
}

export interface UpdateOwnership {
  manager: string
  operation: 'Apply' | 'Update'
  subresource?: string
  apiVersion?: string
  time: string
}

/**
 * Record a write that is not an apply (create, update, patch, a subresource): the fields it
 * added or changed now belong to its manager alone; fields it removed belong to nobody.
 * `next` carries `prev`'s managedFields (or none) and is changed in place.
 */
export function recordWrite(prev: KObject | undefined, next: KObject, w: UpdateOwnership): void {
  const list = prev ? owners(prev) : []
  const before = prev ? fieldsOf(prev) : new Set<string>()
  const after = fieldsOf(next)
  const changed = [...after].filter((p) => !before.has(p) || (!p.endsWith(`${SEP}.`) && !deepEqual(valueAt(prev, p), valueAt(next, p))))
  const removed = [...before].filter((p) => !after.has(p))
  if (changed.length === 0 && removed.length === 0) {
    store(next, list)
    return
  }
  for (const o of list) {
    for (const p of changed) o.fields.delete(p)
    for (const p of removed) o.fields.delete(p)
  }
  const mine = ownerFor(list, w.manager, w.operation, w.subresource, w.apiVersion, w.time)
  for (const p of changed) mine.fields.add(p)
  store(next, list)
}
