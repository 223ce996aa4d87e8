// The fault timeline of a topology file. Each entry names one fault kind with its target, a
// time since start (`at`) and optionally how long it holds (`for`):
//   faults:
//     - { at: 5s, crash: scheduler-0 }
//     - { at: 8s, partition: etcd-main-0, for: 3s }          # isolate it from every other actor
//     - { at: 9s, partition: { a: [apiserver-0], b: [etcd-main-1, etcd-main-2] } }
//     - { at: 12s, delay: apiserver-1, ms: 200, for: 5s }     # messages apiserver-1 sends
//     - { at: 15s, drop: { from: [kubelet@node-0], to: [apiserver-0] }, probability: 0.5 }
//     - { at: 20s, heal: all }
// Entries become runtime Faults (runtime/faults/types.ts), checked by the same validator as the
// control endpoint's.
import { z } from 'zod'
import { faultKinds, type Fault, type FaultKind } from '../faults/types.ts'
import { FaultError, parseFault } from '../faults/validate.ts'
import { parseDuration } from './duration.ts'

export { faultKinds }
export type { Fault, FaultKind }

export interface TimedFault {
  /** Milliseconds after the cluster started. */
  atMs: number
  fault: Fault
}

/** A placeholder for "every other actor" in a single-target partition; the plan expands it. */
export const EVERYONE = '*'

const LINK_KINDS: readonly FaultKind[] = ['delay', 'drop', 'duplicate', 'reorder']
const OPTIONS = ['at', 'for', 'ms', 'jitterMs', 'probability', 'windowMs']

type Issue = { path: PropertyKey[]; message: string; input: unknown }

function duration(v: unknown, path: PropertyKey[], issues: Issue[]): number | undefined {
  const ms = typeof v === 'number' && v >= 0 ? v : typeof v === 'string' ? parseDuration(v) : undefined
  if (ms === undefined) issues.push({ path, message: "expected a duration (milliseconds, or a string like '5s')", input: v })
  return ms
}

function names(v: unknown): string[] | undefined {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v
  return Array.isArray(list) && list.length > 0 && list.every((s) => typeof s === 'string' && s !== '') ? (list as string[]) : undefined
}

/** Validate one timeline entry (issue paths are relative to the entry). */
export function checkFaultEntry(v: unknown): { timed?: TimedFault; issues: Issue[] } {
  const issues: Issue[] = []
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { issues: [{ path: [], message: "expected a fault such as { at: '5s', crash: 'scheduler-0' }", input: v }] }
  }
  const e = v as Record<string, unknown>
  const kinds = Object.keys(e).filter((k) => (faultKinds as readonly string[]).includes(k)) as FaultKind[]
  for (const k of Object.keys(e)) {
    if (!(faultKinds as readonly string[]).includes(k) && !OPTIONS.includes(k)) {
      issues.push({ path: [k], message: `unknown field (expected a fault kind (${faultKinds.join(', ')}) or ${OPTIONS.join(', ')})`, input: e[k] })
    }
  }
  if (kinds.length !== 1) {
    issues.push({ path: [], message: `expected exactly one fault kind (${faultKinds.join(', ')})`, input: kinds })
    return { issues }
  }
  const kind = kinds[0]
  const atMs = e.at === undefined ? undefined : duration(e.at, ['at'], issues)
  if (e.at === undefined) issues.push({ path: ['at'], message: "expected a time since start such as '5s'", input: undefined })
  const f: Record<string, unknown> = { kind }
  if (e.for !== undefined) f.durationMs = duration(e.for, ['for'], issues)
  for (const k of ['ms', 'jitterMs', 'windowMs'] as const) if (e[k] !== undefined) f[k] = typeof e[k] === 'number' ? e[k] : duration(e[k], [k], issues)
  if (e.probability !== undefined) f.probability = e.probability
  else if (kind === 'drop' || kind === 'duplicate') f.probability = 1
  const t = e[kind]
  const isMap = typeof t === 'object' && t !== null && !Array.isArray(t)
  if (kind === 'heal') {
    if (t !== 'all' && t !== true) {
      if (typeof t === 'string' && t !== '') f.id = t
      else issues.push({ path: [kind], message: "expected 'all' or a fault id", input: t })
    }
  } else if (kind === 'partition') {
    if (isMap) {
      const m = t as Record<string, unknown>
      for (const k of Object.keys(m)) if (k !== 'a' && k !== 'b') issues.push({ path: [kind, k], message: 'unknown field (expected a, b)', input: m[k] })
      f.a = names(m.a) ?? issues.push({ path: [kind, 'a'], message: 'expected a list of actor names', input: m.a })
      f.b = names(m.b) ?? issues.push({ path: [kind, 'b'], message: 'expected a list of actor names', input: m.b })
    } else if (typeof t === 'string' && t !== '') {
      f.a = [t]
      f.b = [EVERYONE]
    } else issues.push({ path: [kind], message: 'expected an actor name, or { a: [...], b: [...] }', input: t })
  } else if (LINK_KINDS.includes(kind)) {
    if (isMap) {
      const m = t as Record<string, unknown>
      for (const k of Object.keys(m)) if (k !== 'from' && k !== 'to') issues.push({ path: [kind, k], message: 'unknown field (expected from, to)', input: m[k] })
      if (m.from !== undefined) f.from = names(m.from) ?? issues.push({ path: [kind, 'from'], message: 'expected a list of actor names', input: m.from })
      if (m.to !== undefined) f.to = names(m.to) ?? issues.push({ path: [kind, 'to'], message: 'expected a list of actor names', input: m.to })
    } else if (typeof t === 'string' && t !== '') f.from = [t]
    else if (t !== 'all' && t !== true) issues.push({ path: [kind], message: "expected an actor name, 'all', or { from: [...], to: [...] }", input: t })
  } else if (typeof t === 'string' && t !== '') f.target = t
  else issues.push({ path: [kind], message: "expected an actor name such as 'scheduler-0' or 'leader:scheduler'", input: t })
  if (issues.length) return { issues }
  try {
    return { timed: { atMs: atMs ?? 0, fault: parseFault(f) }, issues }
  } catch (err) {
    if (!(err instanceof FaultError)) throw err
    const field = err.field === 'target' || err.field === 'id' ? kind : err.field === 'durationMs' ? 'for' : err.field
    const message = err.field ? err.message.slice(err.field.length + 2) : err.message
    return { issues: [{ path: field ? [field] : [], message: message.startsWith('expected') ? message : `expected ${message}`, input: e[field] }] }
  }
}

export function faultEntry() {
  return z.unknown().transform((v, ctx): TimedFault => {
    const { timed, issues } = checkFaultEntry(v)
    for (const i of issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message, input: i.input })
    return timed ?? (z.NEVER as never)
  })
}

/** The targets a fault names (for checking them against the topology's actors). */
export function faultTargets(f: Fault): Array<{ field: string; target: string }> {
  const out: Array<{ field: string; target: string }> = []
  const o = f as unknown as Record<string, unknown>
  for (const field of ['target', 'a', 'b', 'from', 'to']) {
    const v = o[field]
    for (const t of typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : []) if (t !== EVERYONE) out.push({ field, target: t })
  }
  return out
}
