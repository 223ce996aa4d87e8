// CLI errors: bad usage exits 2, an unreachable cluster exits 1. Printed without a stack trace.
import { ActorkubeError } from '../errors.ts'

export class UsageError extends ActorkubeError {
  constructor(message: string) {
    super('CLI_USAGE', message)
  }
}

export class ClusterUnavailableError extends ActorkubeError {
  constructor(message: string) {
    super('CLI_NO_CLUSTER', message)
  }
}

/** The control endpoint answered with an error (its code and message). */
export class ControlError extends ActorkubeError {
  readonly status: number
  constructor(status: number, code: string, message: string) {
    super(code, message)
    this.status = status
  }
}
