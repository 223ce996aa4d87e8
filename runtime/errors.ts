// Errors with stable machine-readable codes. Match on `code`, never on message text.

export class ActorkubeError extends Error {
  /**
   * Whether a stack is captured. Errors that are answers rather than faults (an API server's
   * refusal, an ask that timed out) set it false: under a storm of them, capturing and
   * formatting a stack each cost seconds of CPU and told nothing.
   */
  static captureStack = true
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    const limit = Error.stackTraceLimit
    if (!(new.target as typeof ActorkubeError).captureStack) Error.stackTraceLimit = 0
    super(message, options)
    Error.stackTraceLimit = limit
    this.code = code
    this.name = new.target.name
  }
}

export class AskTimeoutError extends ActorkubeError {
  static override captureStack = false
  constructor(to: string, type: string, timeoutMs: number) {
    super('ASK_TIMEOUT', `no reply from ${to} to ${type} within ${timeoutMs} ms`)
  }
}

export class AclDeniedError extends ActorkubeError {
  constructor(from: string, to: string) {
    super('ACL_DENIED', `${from} may not address ${to}`)
  }
}

export class ActorStoppedError extends ActorkubeError {
  constructor(id: string) {
    super('ACTOR_STOPPED', `actor ${id} stopped`)
  }
}

/** Bad user input (topology, CLI arguments): printed without a stack trace. */
export class ConfigError extends ActorkubeError {
  readonly path: string
  constructor(path: string, message: string) {
    super('CONFIG_INVALID', path ? `${path}: ${message}` : message)
    this.path = path
  }
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof ActorkubeError ? err.code : undefined
}
