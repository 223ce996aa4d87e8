// The actorkube CLI: `node --import tsx runtime/cli/main.ts <command>` or bin/actorkube.js.
// main() returns the exit code; errors with a code are printed as one message, no stack trace.
import { pathToFileURL } from 'node:url'
import { ActorkubeError } from '../errors.ts'
import { TopologyError } from '../topology/issues.ts'
import { chaosCommand } from './chaos.ts'
import { ControlError, UsageError } from './errors.ts'
import { COMMAND_HELP, MAIN_HELP } from './help.ts'
import { processIo, type CliIo } from './io.ts'
import { logsCommand } from './logs.ts'
import { statusCommand } from './status.ts'

type Command = (args: string[], io: CliIo) => Promise<number>

const commands: Record<string, Command> = {
  up: async (args, io) => (await import('./up.ts')).upCommand(args, io),
  status: statusCommand,
  chaos: chaosCommand,
  logs: logsCommand,
  scenario: async (args, io) => (await import('./scenario.ts')).scenarioCommand(args, io),
}

function exitCodeOf(err: ActorkubeError): number {
  if (err instanceof UsageError || err.code === 'CONFIG_INVALID') return 2
  if (err instanceof ControlError && err.status >= 400 && err.status < 500) return 2
  return 1
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined
    if (topic && !COMMAND_HELP[topic]) {
      io.err(`actorkube: unknown command "${topic}" (valid: ${Object.keys(commands).join(', ')})\n`)
      return 2
    }
    io.out(topic ? COMMAND_HELP[topic] : MAIN_HELP)
    return first === undefined ? 2 : 0
  }
  const command = commands[first]
  if (!command) {
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`
    io.err(`actorkube: ${what} (commands: ${Object.keys(commands).join(', ')}; see actorkube --help)\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(COMMAND_HELP[first])
    return 0
  }
  try {
    return await command(rest, io)
  } catch (err) {
    if (err instanceof TopologyError) {
      io.err(`actorkube: invalid topology ${err.source}:\n${err.lines.map((l) => `  ${l}`).join('\n')}\n`)
      return 2
    }
    if (err instanceof ActorkubeError) {
      io.err(`actorkube: ${err.message}\n`)
      return exitCodeOf(err)
    }
    throw err
  }
}

/** Run the CLI in this process: Ctrl-C/SIGTERM abort io.signal once, a second one exits at once. */
export async function run(argv: string[]): Promise<void> {
  const abort = new AbortController()
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143)
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // A reader that goes away (`actorkube logs | head`) ends output quietly, as Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  try {
    process.exitCode = await main(argv, processIo(abort.signal))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2))
