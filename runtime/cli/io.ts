// What a command may touch besides the network and files: output, environment, signals.
// main() gets one of these, so tests run commands in-process and read what they printed.

export interface CliIo {
  out(text: string): void
  err(text: string): void
  cwd: string
  env: Record<string, string | undefined>
  /** Whether stdout is a terminal (colours, live progress). */
  tty: boolean
  /** Aborted on Ctrl-C/SIGTERM (up, logs --follow). */
  signal?: AbortSignal
}

export function processIo(signal?: AbortSignal): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    tty: process.stdout.isTTY === true,
    signal,
  }
}
