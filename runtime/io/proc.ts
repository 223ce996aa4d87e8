// Child process adapter for the kubelet's process runtime.
export interface ProcSpec {
  command: string
  args: string[]
  env: Record<string, string>
  cwd?: string
}

export interface ProcHandle {
  readonly pid: number
  onOutput(cb: (stream: 'stdout' | 'stderr', line: string) => void): void
  onExit(cb: (code: number | null, signal: string | null) => void): void
  kill(signal: 'SIGTERM' | 'SIGKILL'): void
}

/** What ProcIo.httpGet answers when the server accepted but did not answer in time. */
export const HTTP_TIMED_OUT = -1

export interface ProcIo {
  spawn(spec: ProcSpec): ProcHandle
  /** Run a command to completion (exec probes). */
  exec(spec: ProcSpec & { timeoutMs: number }): Promise<{ code: number | null; output: string }>
  /** HTTP GET for httpGet probes; resolves with the status code, 0 on connection failure, or
   *  HTTP_TIMED_OUT when no response headers came within timeoutMs. */
  httpGet(opts: { host: string; port: number; path: string; timeoutMs: number }): Promise<number>
  /** Measured usage of a live process (Linux /proc); undefined when unavailable. */
  usage?(pid: number): Promise<ProcUsage | undefined>
}

export interface ProcUsage {
  /** User + system CPU time consumed so far. */
  cpuSeconds: number
  memoryBytes: number
}
