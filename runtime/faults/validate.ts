// Validates a fault received as JSON (control endpoint, scenarios): a FaultError names the field.
import { ActorkubeError } from '../errors.ts'
import { faultKinds, type Fault } from './types.ts'

export class FaultError extends ActorkubeError {
  readonly field: string
  constructor(field: string, message: string, code = 'FAULT_INVALID') {
    super(code, field ? `${field}: ${message}` : message)
    this.field = field
  }
}

type Obj = Record<string, unknown>

const fields: Record<Fault['kind'], Record<string, 'string' | 'strings' | 'number' | 'prob' | 'nonneg'>> = {
  crash: { target: 'string' },
  kill: { target: 'string' },
  hang: { target: 'string', ms: 'nonneg' },
  pause: { target: 'string' },
  resume: { target: 'string' },
  partition: { a: 'strings', b: 'strings' },
  heal: { id: 'string' },
  delay: { from: 'strings', to: 'strings', ms: 'nonneg', jitterMs: 'nonneg' },
  drop: { from: 'strings', to: 'strings', probability: 'prob' },
  duplicate: { from: 'strings', to: 'strings', probability: 'prob' },
  reorder: { from: 'strings', to: 'strings', windowMs: 'nonneg' },
  'skew-clock': { target: 'string', ms: 'number' },
  'disk-slow': { target: 'string', ms: 'nonneg' },
  'disk-fail': { target: 'string' },
}

const required: Record<Fault['kind'], string[]> = {
  crash: ['target'], kill: ['target'], hang: ['target'], pause: ['target'], resume: ['target'],
  partition: ['a', 'b'], heal: [], delay: ['ms'], drop: ['probability'], duplicate: ['probability'],
  reorder: ['windowMs'], 'skew-clock': ['target', 'ms'], 'disk-slow': ['target', 'ms'], 'disk-fail': ['target'],
}

export function parseFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultError('', 'expected a JSON object')
  const o = input as Obj
  const kind = o.kind
  if (typeof kind !== 'string' || !(faultKinds as readonly string[]).includes(kind)) {
    throw new FaultError('kind', `expected one of ${faultKinds.join(', ')}, got ${JSON.stringify(kind)}`)
  }
  const k = kind as Fault['kind']
  const spec: Record<string, string> = { ...fields[k], durationMs: 'nonneg' }
  for (const key of Object.keys(o)) {
    if (key === 'kind') continue
    const t = spec[key]
    if (!t) throw new FaultError(key, `unknown field for a ${k} fault (allowed: ${Object.keys(spec).join(', ')})`)
    const v = o[key]
    switch (t) {
      case 'string':
        if (typeof v !== 'string' || v === '') throw new FaultError(key, 'expected a non-empty string')
        break
      case 'strings':
        if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== '')) {
          throw new FaultError(key, 'expected a non-empty array of actor names')
        }
        break
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new FaultError(key, 'expected a number')
        break
      case 'nonneg':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new FaultError(key, 'expected a number >= 0')
        break
      case 'prob':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new FaultError(key, 'expected a probability between 0 and 1')
        break
    }
  }
  for (const key of required[k]) {
    if (o[key] === undefined) throw new FaultError(key, `required for a ${k} fault`)
  }
  return o as unknown as Fault
}
