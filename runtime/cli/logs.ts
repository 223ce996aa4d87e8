// actorkube logs: the cluster's JSON log (<dataDir>/logs/actorkube.ndjson), or with --follow the
// control endpoint's live event stream; --ha keeps only HA events.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { DATA_DIR, dataDirOf, parse } from './args.ts'
import { ControlClient, readControl } from './control-client.ts'
import { ClusterUnavailableError, UsageError } from './errors.ts'
import { formatRecord, isHaEvent } from './events.ts'
import type { CliIo } from './io.ts'

export const LOGS_OPTIONS = {
  ...DATA_DIR,
  ha: { type: 'boolean' as const },
  follow: { type: 'boolean' as const, short: 'f' },
  json: { type: 'boolean' as const },
}

export const LOG_FILE = join('logs', 'actorkube.ndjson')

export async function logsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('logs', args, LOGS_OPTIONS)
  if (positionals.length) throw new UsageError(`"actorkube logs" takes no arguments, got ${positionals.join(' ')}`)
  const dataDir = dataDirOf(values, io.env)
  const show = (rec: Record<string, unknown>, raw?: string) => {
    if (values.ha && !isHaEvent(rec)) return
    io.out((values.json ? raw ?? JSON.stringify(rec) : formatRecord(rec)) + '\n')
  }
  if (values.follow) {
    const control = await readControl(dataDir, io.cwd)
    await new ControlClient(control.url).follow((rec) => show(rec), io.signal)
    return 0
  }
  const file = resolve(io.cwd, dataDir, LOG_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new ClusterUnavailableError(`no log file at ${file}; start a cluster with: actorkube up`)
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    let rec: Record<string, unknown>
    try {
      rec = JSON.parse(line) as Record<string, unknown>
    } catch {
      continue
    }
    show(rec, line)
  }
  return 0
}
