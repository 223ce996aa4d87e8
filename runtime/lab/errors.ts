// Lab errors with stable codes.
import { ActorkubeError } from '../errors.ts'
import { TopologyError } from '../topology/issues.ts'

/** An invalid scenario file: one line per field, each naming its path (CONFIG_INVALID). */
export class ScenarioError extends TopologyError {}

/** An assertion that no run can satisfy with this topology's timings. */
export class ImpossibleAssertionError extends ActorkubeError {
  constructor(message: string) {
    super('SCENARIO_IMPOSSIBLE', message)
  }
}
