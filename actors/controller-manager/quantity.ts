// Resource quantities ("1Gi", "500Mi", "2", "100m") as numbers, for comparing capacities.
const SUFFIX: Record<string, number> = {
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
}

/** The value of a quantity, or NaN when it does not parse. */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined) return NaN
  if (typeof q === 'number') return q
  const m = /^([+-]?\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(q.trim())
  if (!m) return NaN
  const mult = SUFFIX[m[3] ?? '']
  if (mult === undefined) return NaN
  return Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1) * mult
}
