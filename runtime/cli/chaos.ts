// actorkube chaos <fault> <target> [options]: build a Fault (runtime/faults/types.ts) from the
// command line, check it, and send it to the control endpoint.
import type { Fault, FaultResult } from '../faults/types.ts'
import { parseFault, FaultError } from '../faults/validate.ts'
import { parseDuration } from '../topology/duration.ts'
import { DATA_DIR, dataDirOf, flagList, parse, type Options } from './args.ts'
import { ControlClient, readControl } from './control-client.ts'
import { UsageError } from './errors.ts'
import type { CliIo } from './io.ts'
import { normalizeStatus } from './status.ts'

/** The faults the CLI offers, with the options each takes. */
export const CHAOS_FAULTS: Record<string, { about: string; flags: string[]; target: 'required' | 'optional' | 'none' }> = {
  kill: { about: "the target's thread exits", flags: [], target: 'required' },
  crash: { about: 'the target throws (let it crash)', flags: [], target: 'required' },
  hang: { about: "the target's thread busy-loops (--ms, default until detected)", flags: ['ms'], target: 'required' },
  pause: { about: "the target's mailbox stops delivering", flags: [], target: 'required' },
  resume: { about: 'a paused mailbox delivers again', flags: [], target: 'required' },
  partition: { about: 'drop messages between --from and --to, or between the target and every other actor', flags: ['from', 'to', 'rest'], target: 'optional' },
  heal: { about: 'end one fault (by id), the faults on an actor, or all of them (--all)', flags: ['all'], target: 'optional' },
  delay: { about: 'delay messages the target sends (or --from/--to) by --ms', flags: ['ms', 'jitter-ms', 'from', 'to'], target: 'optional' },
  drop: { about: 'drop messages with --probability', flags: ['probability', 'from', 'to'], target: 'optional' },
  duplicate: { about: 'deliver messages twice with --probability', flags: ['probability', 'from', 'to'], target: 'optional' },
  reorder: { about: 'reorder messages within --window-ms', flags: ['window-ms', 'from', 'to'], target: 'optional' },
  'skew-clock': { about: "shift the target's clock by --ms (may be negative: --ms=-500)", flags: ['ms'], target: 'required' },
  'disk-slow': { about: "add --ms to each of the target's disk operations", flags: ['ms'], target: 'required' },
  'disk-fail': { about: "make the target's disk operations fail", flags: [], target: 'required' },
}

export const CHAOS_OPTIONS: Options = {
  ...DATA_DIR,
  ms: { type: 'string' },
  'jitter-ms': { type: 'string' },
  'window-ms': { type: 'string' },
  probability: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  rest: { type: 'boolean' },
  all: { type: 'boolean' },
  for: { type: 'string' },
  json: { type: 'boolean' },
}

const COMMON = new Set(['data-dir', 'for', 'json', 'help'])

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean)
}

function number(flag: string, v: string, opts: { min?: number; max?: number; duration?: boolean } = {}): number {
  const n = opts.duration ? parseDuration(v.replace(/^-/, '')) : Number(v)
  const signed = opts.duration && v.startsWith('-') && n !== undefined ? -n : n
  if (signed === undefined || !Number.isFinite(signed) || (opts.min !== undefined && signed < opts.min) || (opts.max !== undefined && signed > opts.max)) {
    const range = opts.max !== undefined ? ` from ${opts.min} to ${opts.max}` : opts.min !== undefined ? ` >= ${opts.min}` : ''
    throw new UsageError(`--${flag}: expected a ${opts.duration ? 'duration in ms (or like 300ms, 2s)' : 'number'}${range}, got "${v}"`)
  }
  return signed
}

export type ChaosAction = { kind: 'inject'; fault: Fault; rest: boolean } | { kind: 'heal'; id?: string }

/** Turn `chaos` arguments into an action; throws UsageError naming what is wrong and what is valid. */
export function parseChaos(args: string[]): { action: ChaosAction; values: Record<string, string | boolean | undefined> } {
  const { values, positionals } = parse('chaos', args, CHAOS_OPTIONS)
  const [name, target, ...extra] = positionals
  const valid = Object.keys(CHAOS_FAULTS).join(', ')
  if (!name) throw new UsageError(`"actorkube chaos" needs a fault: one of ${valid}`)
  const spec = CHAOS_FAULTS[name]
  if (!spec) throw new UsageError(`unknown fault "${name}" (valid faults: ${valid})`)
  if (extra.length) throw new UsageError(`"actorkube chaos ${name}" takes one target, got also: ${extra.join(' ')}`)
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || COMMON.has(k) || spec.flags.includes(k)) continue
    const allowed = [...spec.flags, 'for', 'data-dir', 'json'].map((f) => `--${f}`).join(', ')
    throw new UsageError(`option --${k} does not apply to "${name}" (valid for ${name}: ${allowed})`)
  }
  if (spec.target === 'required' && !target) throw new UsageError(`"actorkube chaos ${name}" needs a target, such as scheduler-0, kubelet@node-0 or leader:scheduler`)
  const s = (k: string) => values[k] as string | undefined

  if (name === 'heal') {
    if (values.all && target) throw new UsageError('"actorkube chaos heal" takes a fault id or --all, not both')
    if (!values.all && !target) throw new UsageError('"actorkube chaos heal" needs a fault id (printed when it was injected), an actor, or --all')
    return { action: { kind: 'heal', id: target }, values }
  }

  const f: Record<string, unknown> = { kind: name }
  let rest = false
  if (name === 'partition') {
    if (target && (s('from') || s('to'))) throw new UsageError('"actorkube chaos partition" takes a target (cut off from every other actor) or --from A,B --to C, not both')
    if (target) {
      f.a = [target]
      rest = true
    } else {
      if (!s('from') || !s('to')) throw new UsageError('"actorkube chaos partition" needs a target (with --rest, the default) or both --from A,B and --to C')
      f.a = list(s('from')!)
      f.b = list(s('to')!)
    }
  } else if (['delay', 'drop', 'duplicate', 'reorder'].includes(name)) {
    if (target && s('from')) throw new UsageError(`"actorkube chaos ${name}" takes a target or --from, not both`)
    if (target) f.from = [target]
    if (s('from')) f.from = list(s('from')!)
    if (s('to')) f.to = list(s('to')!)
    if (!f.from && !f.to) throw new UsageError(`"actorkube chaos ${name}" needs a target, --from or --to`)
  } else {
    f.target = target
  }
  if (s('ms') !== undefined) f.ms = number('ms', s('ms')!, { duration: true, min: name === 'skew-clock' ? undefined : 0 })
  if (s('jitter-ms') !== undefined) f.jitterMs = number('jitter-ms', s('jitter-ms')!, { duration: true, min: 0 })
  if (s('window-ms') !== undefined) f.windowMs = number('window-ms', s('window-ms')!, { duration: true, min: 0 })
  if (s('probability') !== undefined) f.probability = number('probability', s('probability')!, { min: 0, max: 1 })
  if (s('for') !== undefined) f.durationMs = number('for', s('for')!, { duration: true, min: 0 })
  if ((name === 'drop' || name === 'duplicate') && f.probability === undefined) f.probability = 1
  if (rest) f.b = ['*']
  try {
    return { action: { kind: 'inject', fault: parseFault(f), rest }, values }
  } catch (err) {
    if (!(err instanceof FaultError)) throw err
    const flag = { durationMs: 'for', jitterMs: 'jitter-ms', windowMs: 'window-ms' }[err.field] ?? err.field
    throw new UsageError(`"actorkube chaos ${name}": --${flag} ${err.message.slice(err.field.length + 2)}`)
  }
}

function asList(v: unknown): FaultResult[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? (v as FaultResult[]) : [v as FaultResult]
}

/** Active faults from GET /status (`faults`), if the endpoint lists them. */
function activeFaults(status: unknown): FaultResult[] {
  const f = (status as { faults?: unknown } | undefined)?.faults
  return Array.isArray(f) ? (f as FaultResult[]).filter((x) => Array.isArray(x.targets)) : []
}

function describe(f: Fault): string {
  const o = f as unknown as Record<string, unknown>
  const parts: string[] = []
  if (o.ms !== undefined) parts.push(`${o.ms}ms`)
  if (o.probability !== undefined) parts.push(`probability ${o.probability}`)
  if (o.windowMs !== undefined) parts.push(`window ${o.windowMs}ms`)
  if (o.durationMs !== undefined) parts.push(`for ${o.durationMs}ms`)
  return parts.length ? ` (${parts.join(', ')})` : ''
}

export async function chaosCommand(args: string[], io: CliIo): Promise<number> {
  const { action, values } = parseChaos(args)
  const control = await readControl(dataDirOf(values, io.env), io.cwd)
  const client = new ControlClient(control.url)
  const when = new Date().toISOString()
  if (action.kind === 'heal') {
    let healed: FaultResult[]
    const active = activeFaults(action.id ? await client.status() : undefined)
    if (action.id && !active.some((f) => f.id === action.id) && active.some((f) => f.targets.includes(action.id!))) {
      // heal <actor>: every active fault that touches it
      healed = []
      for (const f of active.filter((x) => x.targets.includes(action.id!))) healed.push(...asList(await client.heal(f.id)))
    } else healed = asList(await client.heal(action.id))
    if (values.json) io.out(JSON.stringify(healed) + '\n')
    else if (healed.length === 0) io.out(`${when} nothing to heal\n`)
    else for (const h of healed) io.out(`${when} healed ${h.kind} ${h.id} on ${(h.targets ?? []).join(', ')}\n`)
    return 0
  }
  const fault = action.fault as Fault & Record<string, unknown>
  // Plain actor names are checked against the running cluster, so a typo lists the valid ones.
  const { actors } = normalizeStatus(await client.status())
  const ids = actors.map((a) => a.id)
  const named = ['target', 'a', 'b', 'from', 'to'].flatMap((k) => {
    const v = fault[k]
    return (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : []).map((t) => ({ k, t }))
  })
  for (const { t } of named) {
    if (t === '*' || t.includes(':') || ids.includes(t) || ids.length === 0) continue
    const shown = ids.slice(0, 40).join(', ') + (ids.length > 40 ? `, ... (${ids.length} in all)` : '')
    throw new UsageError(`unknown target "${t}" (valid targets: ${shown}; or leader:<role>, leader:etcd/<shard>, random:<role>, node:<name>, thread:<name>)`)
  }
  if (action.rest && fault.kind === 'partition') fault.b = ids.filter((id) => !(fault.a as string[]).includes(id))
  const r = (await client.inject(fault)) as FaultResult
  if (values.json) {
    io.out(JSON.stringify({ at: when, fault, result: r }) + '\n')
    return 0
  }
  const targets = r?.targets?.length ? r.targets.join(', ') : named.map((n) => n.t).join(', ')
  io.out(`${when} ${fault.kind} -> ${targets}${describe(fault)}: fault ${r?.id ?? '?'}${r?.active ? `, active (heal with: actorkube chaos heal ${r.id})` : ''}\n`)
  return 0
}

export function chaosFaultHelp(): string {
  return Object.entries(CHAOS_FAULTS)
    .map(([k, v]) => `  ${k.padEnd(11)} ${v.about}${v.flags.length ? ` [${v.flags.map((f) => `--${f}`).join(' ')}]` : ''}`)
    .join('\n')
}

export { flagList }
