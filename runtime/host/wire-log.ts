// A Logger that turns records into plain, cloneable objects and hands them to a sink (a worker's
// batched forwarder to the main thread).
import type { Logger } from '../actor.ts'
import type { WireLog } from './protocol.ts'

export function plain(obj: object): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(obj, (_k, v: unknown) => {
      if (v instanceof Error) return { __error: true, type: v.name, message: v.message, code: (v as { code?: unknown }).code, stack: v.stack }
      if (typeof v === 'bigint') return v.toString()
      return v
    })) as Record<string, unknown>
  } catch {
    return { unserializable: true }
  }
}

export type WireLevel = WireLog['level'] | 'silent'

const RANK: Record<WireLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 }

/** The wire level for a pino level: records below it are not worth sending. */
export function wireLevel(pinoLevel: string): WireLevel {
  if (pinoLevel === 'trace' || pinoLevel === 'debug') return 'debug'
  if (pinoLevel === 'info' || pinoLevel === 'warn' || pinoLevel === 'error') return pinoLevel
  return pinoLevel === 'fatal' ? 'error' : 'silent'
}

/**
 * Records below `min` are dropped where they are made, unless they carry an `event` (HA and
 * lifecycle events feed the supervisor's event stream whatever the log level).
 */
export function wireLogger(sink: (r: WireLog) => void, bindings: Record<string, unknown>, now: () => number, min: WireLevel = 'debug'): Logger {
  const at = (level: WireLog['level']) => {
    const wanted = RANK[level] >= RANK[min]
    return (obj: object, msg?: string) => {
      if (!wanted && typeof (obj as { event?: unknown }).event !== 'string') return
      sink({ level, time: now(), bindings, obj: plain(obj), msg })
    }
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => wireLogger(sink, { ...bindings, ...more }, now, min),
  }
}

/** Turn errors flattened by plain() back into Error objects, for pino's error serializer. */
export function revive(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && (v as { __error?: unknown }).__error === true) {
      const w = v as { type: string; message: string; code?: unknown; stack?: string }
      const e = Object.assign(new Error(w.message), w.code === undefined ? {} : { code: w.code })
      e.name = w.type
      if (w.stack !== undefined) e.stack = w.stack
      out ??= { ...obj }
      out[k] = e
    }
  }
  return out ?? obj
}
