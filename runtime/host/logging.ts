// The main-thread logger: one pino logger for the whole runtime. JSON lines go to
// <dataDir>/logs/actorkube.ndjson; the terminal gets pretty lines, terse lines, or nothing.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'

export interface RuntimeLogOptions {
  dataDir: string
  /** Terminal output: 'pretty' (colours, one line per record), 'json', or 'none'. */
  terminal?: 'pretty' | 'json' | 'none'
  level?: 'debug' | 'info' | 'warn' | 'error'
}

export function logFile(dataDir: string): string {
  return join(dataDir, 'logs', 'actorkube.ndjson')
}

export function createRuntimeLogger(o: RuntimeLogOptions): Logger {
  mkdirSync(join(o.dataDir, 'logs'), { recursive: true })
  const level = o.level ?? 'info'
  const streams: pino.StreamEntry[] = [{ level, stream: pino.destination({ dest: logFile(o.dataDir), mkdir: true, sync: false }) }]
  if (o.terminal === 'pretty') {
    streams.push({ level, stream: pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }) })
  } else if (o.terminal === 'json') {
    streams.push({ level, stream: process.stdout })
  }
  return pino({ level, base: undefined }, pino.multistream(streams))
}
