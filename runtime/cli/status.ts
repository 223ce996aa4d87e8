// actorkube status: a table of actors (actor, thread, state, restarts, ready, info) from the
// control endpoint's GET /status.
import { DATA_DIR, dataDirOf, parse } from './args.ts'
import { ControlClient, readControl } from './control-client.ts'
import type { CliIo } from './io.ts'
import { formatTable } from './table.ts'

export const STATUS_OPTIONS = { ...DATA_DIR, json: { type: 'boolean' as const } }

export interface StatusRow {
  id: string
  thread: string
  state: string
  restarts: number
  report?: { ready?: boolean; info?: Record<string, unknown> }
}

export interface StatusThread {
  name: string
  state: string
  restarts: number
  actors?: string[]
}

/** Accepts `{ actors, threads }` or a bare array of actors. */
export function normalizeStatus(body: unknown): { actors: StatusRow[]; threads: StatusThread[] } {
  if (Array.isArray(body)) return { actors: body as StatusRow[], threads: [] }
  const b = (body ?? {}) as { actors?: StatusRow[]; threads?: StatusThread[] }
  return { actors: b.actors ?? [], threads: b.threads ?? [] }
}

function info(i: Record<string, unknown> | undefined): string {
  if (!i) return ''
  return Object.entries(i)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
}

export function formatStatus(s: { actors: StatusRow[]; threads: StatusThread[] }): string {
  const rows = s.actors.map((a) => [
    a.id,
    a.thread,
    a.state,
    String(a.restarts),
    a.report?.ready === undefined ? '-' : a.report.ready ? 'yes' : 'no',
    info(a.report?.info),
  ])
  let out = formatTable(['ACTOR', 'THREAD', 'STATE', 'RESTARTS', 'READY', 'INFO'], rows)
  const running = s.actors.filter((a) => a.state === 'running').length
  out += `\n${s.actors.length} actors (${running} running)`
  if (s.threads.length) {
    const up = s.threads.filter((t) => t.state === 'running').length
    const restarts = s.threads.reduce((n, t) => n + (t.restarts ?? 0), 0)
    out += `, ${s.threads.length} threads (${up} running, ${restarts} thread restarts)`
  }
  return out + '\n'
}

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse('status', args, STATUS_OPTIONS)
  const control = await readControl(dataDirOf(values, io.env), io.cwd)
  const body = await new ControlClient(control.url).status()
  if (values.json) io.out(JSON.stringify(body, null, 2) + '\n')
  else io.out(formatStatus(normalizeStatus(body)))
  return 0
}
