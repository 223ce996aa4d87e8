// Kubernetes resource quantities ('250m', '1.5', '512Mi', '1G', '2e3') as numbers. Pure.
import { ActorkubeError } from '../runtime/errors.ts'
import type { Quantity } from './k8s.ts'

export class QuantityError extends ActorkubeError {
  constructor(q: Quantity) {
    super('QUANTITY_INVALID', `invalid quantity ${JSON.stringify(q)}`)
  }
}

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, u: 1e-6, n: 1e-9, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/** The quantity's value in base units (cores for cpu, bytes for memory). */
export function parseQuantity(q: Quantity): number {
  if (typeof q === 'number') return q
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim())
  if (!m) throw new QuantityError(q)
  const mult = SUFFIX[m[2] as string]
  if (mult === undefined) throw new QuantityError(q)
  return Number(m[1]) * mult
}

/** CPU in millicores, rounded up as Kubernetes does. */
export function milliCpu(q: Quantity): number {
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9)
}

/** The quantity's value, or NaN when it is missing or does not parse (for comparisons that must not throw). */
export function quantityOrNaN(q: Quantity | undefined): number {
  if (q === undefined) return NaN
  try {
    return parseQuantity(q)
  } catch {
    return NaN
  }
}
