// The cluster logger for `up`: JSON lines to <dataDir>/logs/actorkube.ndjson, and pretty (or,
// with --json, JSON) lines on stdout.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

export interface ClusterLogger {
  logger: Logger
  /** Flush and close the file. */
  close(): Promise<void>
}

/** `write` receives the console lines (the CLI's stdout). */
export function clusterLogger(file: string, opts: { json: boolean; colorize: boolean; write: (text: string) => void; level?: string }): ClusterLogger {
  mkdirSync(dirname(file), { recursive: true })
  const fileStream = pino.destination({ dest: file, sync: false, append: true })
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      opts.write(chunk.toString())
      done()
    },
  })
  const console = opts.json
    ? out
    : pretty({ colorize: opts.colorize, sync: true, singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', destination: out })
  const level = opts.level ?? 'info'
  const logger = pino({ level, base: undefined }, pino.multistream([{ level, stream: fileStream }, { level, stream: console }]))
  return {
    logger,
    close: () =>
      new Promise<void>((resolve) => {
        fileStream.flush((err) => {
          void err
          fileStream.end()
          resolve()
        })
      }),
  }
}
