// util.parseArgs with the CLI's error messages: unknown flags and missing values name the flag,
// the command, and the flags it accepts.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './errors.ts'

export type Options = NonNullable<ParseArgsConfig['options']>

export const DATA_DIR: Options = { 'data-dir': { type: 'string' } }
export const HELP: Options = { help: { type: 'boolean', short: 'h' } }

export function flagList(options: Options): string {
  return Object.entries(options)
    .map(([name, o]) => `--${name}${o.type === 'string' ? ' <value>' : ''}`)
    .join(', ')
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

export function parse(command: string, args: string[], options: Options): Parsed {
  const all = { ...options, ...HELP }
  try {
    const r = parseArgs({ args, options: all, allowPositionals: true, strict: true })
    return { values: r.values as Parsed['values'], positionals: r.positionals }
  } catch (err) {
    const e = err as Error & { code?: string }
    const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? ''
    const where = `"actorkube ${command}"`
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${flag} for ${where} (valid: ${flagList(all)})`)
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(`option ${flag} of ${where} ${all[flag.replace(/^-+/, '')]?.type === 'boolean' ? 'takes no value' : 'needs a value'}`)
      default:
        throw new UsageError(`${where}: ${e.message}`)
    }
  }
}

/** The data dir: --data-dir, else $ACTORKUBE_DATA_DIR, else `fallback` (default .actorkube). */
export function dataDirOf(values: Parsed['values'], env: Record<string, string | undefined>, fallback = '.actorkube'): string {
  const v = values['data-dir']
  if (typeof v === 'string' && v !== '') return v
  return env.ACTORKUBE_DATA_DIR || fallback
}
