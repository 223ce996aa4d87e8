// A partition written with the '*' ("every other actor", 'rest' in scenarios) side first gets
// it moved to the second side, where the injectors expand it.
import type { Fault } from '../faults/types.ts'
import { EVERYONE } from '../topology/faults.ts'

export function expandFault(f: Fault): Fault {
  if (f.kind === 'partition' && f.a.includes(EVERYONE) && !f.b.includes(EVERYONE)) return { ...f, a: f.b, b: [EVERYONE] }
  return f
}
