// IntOrString values (maxSurge, maxUnavailable): "25%" of a total, rounded up or down.
export function resolveIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: number | string): number {
  const x = v === undefined ? dflt : v
  if (typeof x === 'number') return x
  const m = /^(\d+)%$/.exec(x)
  if (!m) {
    const n = Number(x)
    return Number.isFinite(n) ? n : 0
  }
  const f = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(f) : Math.floor(f)
}
