// Turn schema issues into ConfigErrors whose lines name the field's path and what was expected:
//   etcd.shards[1].replicas: expected an integer >= 1, got "three"
import type { z } from 'zod'
import { ConfigError } from '../errors.ts'

export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out === '' ? String(p) : `.${String(p)}`
  }
  return out
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return v.length <= 4 ? JSON.stringify(v) : 'a list'
  if (typeof v === 'object') return 'a map'
  const s = JSON.stringify(v)
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/** A topology with one or more invalid fields; `lines` holds one line per field. */
export class TopologyError extends ConfigError {
  readonly lines: string[]
  readonly source: string
  constructor(source: string, problems: Array<{ path: string; message: string }>) {
    super(problems[0]?.path ?? '', problems[0]?.message ?? 'invalid topology')
    this.source = source
    this.lines = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message))
    this.message = this.lines.join('\n')
  }
}

type Def = { type: string; innerType?: ZodLike; element?: ZodLike; shape?: Record<string, ZodLike>; in?: ZodLike; options?: ZodLike[] }
type ZodLike = { _zod: { def: Def } }

/** The field names an object schema accepts at `path` (for "unknown field" messages). */
export function knownFields(schema: ZodLike, path: readonly PropertyKey[]): string[] | undefined {
  let s: ZodLike | undefined = schema
  const unwrap = () => {
    while (s) {
      const d: Def = s._zod.def
      if (d.innerType && (d.type === 'default' || d.type === 'prefault' || d.type === 'optional' || d.type === 'nullable')) s = d.innerType
      else if (d.type === 'pipe' && d.in) s = d.in
      else break
    }
  }
  for (const p of path) {
    unwrap()
    if (!s) return undefined
    const d: Def = s._zod.def
    if (typeof p === 'number' && d.type === 'array') s = d.element
    else if (typeof p === 'string' && d.type === 'object' && d.shape) s = d.shape[p]
    else return undefined
  }
  unwrap()
  return s && s._zod.def.type === 'object' && s._zod.def.shape ? Object.keys(s._zod.def.shape) : undefined
}

export function issuesToProblems(schema: ZodLike, issues: readonly z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = []
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      const known = knownFields(schema, i.path)
      for (const k of i.keys) {
        out.push({
          path: formatPath([...i.path, k]),
          message: known ? `unknown field (expected one of: ${known.join(', ')})` : 'unknown field',
        })
      }
      continue
    }
    if (i.code === 'invalid_union' && i.errors.length) {
      // Report the branch that got furthest (the first one's issues), with the union's path.
      const inner = i.errors[0].map((e) => ({ ...e, path: [...i.path, ...e.path] }))
      out.push(...issuesToProblems(schema, inner as z.core.$ZodIssue[]))
      continue
    }
    let message = i.message.startsWith('expected') || i.message.startsWith('unknown') ? i.message : `expected ${i.message}`
    if (i.code === 'too_small' && i.origin === 'array') message = `expected at least ${String(i.minimum)} item(s)`
    if (i.code === 'too_big' && i.origin === 'array') message = `expected at most ${String(i.maximum)} item(s)`
    if ('input' in i) message += `, got ${describeValue(i.input)}`
    out.push({ path: formatPath(i.path), message })
  }
  return out
}
