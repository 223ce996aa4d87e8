// Loggers: pino for real hosts, a recording logger for the simulator and tests.
import type { Logger } from './actor.ts'

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error'
  bindings: Record<string, unknown>
  obj: object
  msg?: string
}

/** A logger that hands each record to `sink` (the simulator's trace, a test's array). */
export function recordingLogger(sink: (r: LogRecord) => void, bindings: Record<string, unknown> = {}): Logger {
  const at = (level: LogRecord['level']) => (obj: object, msg?: string) => sink({ level, bindings, obj, msg })
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(sink, { ...bindings, ...more }),
  }
}

export const nullLogger: Logger = recordingLogger(() => {})
