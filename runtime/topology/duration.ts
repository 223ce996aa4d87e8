// Durations in topology files: a number of milliseconds, or a string such as '300ms', '5s',
// '1.5m', '1h', or a sum like '1m30s'.

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim()
  if (s === '') return undefined
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s)
  part.lastIndex = 0
  let total = 0
  let consumed = 0
  for (let m = part.exec(s); m; m = part.exec(s)) {
    total += Number(m[1]) * units[m[2]]
    consumed = part.lastIndex
  }
  if (consumed !== s.length) return undefined
  return Math.round(total)
}

/** '1500' -> '1.5s', '300' -> '300ms', for messages and summaries. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  if (ms < 60_000) return `${+(ms / 1000).toFixed(3)}s`
  return `${+(ms / 60_000).toFixed(3)}m`
}
