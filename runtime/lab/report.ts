// Scenario reports (pure): report.json data and a self-contained report.html with an SVG
// timeline of who led each component and etcd shard, when faults hit, restarts and gaps, a
// table of failover times per component, and the assertions with pass/fail.
import type { HaEvent, LeaderInterval } from './ha-tracker.ts'

export interface FaultMark {
  time: number
  kind: string
  target: string
  healedAt?: number
}

export interface RestartMark {
  time: number
  id: string
  downtimeMs?: number
}

export interface AssertionResult {
  name: string
  passed: boolean
  detail: string
}

export interface ReportData {
  scenario: string
  mode: 'real' | 'sim'
  seed?: number
  startedAt: number
  endedAt: number
  intervals: LeaderInterval[]
  failovers: HaEvent[]
  faults: FaultMark[]
  restarts: RestartMark[]
  assertions: AssertionResult[]
}

export interface FailoverStats {
  component: string
  count: number
  minMs: number
  medianMs: number
  maxMs: number
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export function failoverStats(failovers: HaEvent[]): FailoverStats[] {
  const by = new Map<string, number[]>()
  for (const f of failovers) {
    if (f.event !== 'ha.failover') continue
    const list = by.get(f.component) ?? []
    list.push(f.gapMs)
    by.set(f.component, list)
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([component, gaps]) => ({ component, count: gaps.length, minMs: Math.min(...gaps), medianMs: median(gaps), maxMs: Math.max(...gaps) }))
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

const PALETTE = ['#5b9cf5', '#3ecf8e', '#f5b942', '#c77dff', '#ff8fab', '#4cc9f0', '#90be6d', '#f9844a']

/** The timeline picture: one lane per component, a bar per leadership interval. */
export function timelineSvg(d: ReportData, width = 960): string {
  const lanes = [...new Set(d.intervals.map((i) => i.component))].sort()
  const laneH = 28
  const top = 24
  const left = 150
  const plotW = width - left - 20
  const faultsH = 16
  const height = top + lanes.length * laneH + faultsH + 36
  const span = Math.max(1, d.endedAt - d.startedAt)
  const x = (t: number) => left + ((Math.min(Math.max(t, d.startedAt), d.endedAt) - d.startedAt) / span) * plotW
  const colors = new Map<string, string>()
  const color = (id: string) => {
    if (!colors.has(id)) colors.set(id, PALETTE[colors.size % PALETTE.length] as string)
    return colors.get(id) as string
  }
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui,sans-serif" font-size="11">`)
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`)
  lanes.forEach((lane, li) => {
    const y = top + li * laneH
    parts.push(`<text x="6" y="${y + 17}" fill="#333">${esc(lane)}</text>`)
    parts.push(`<rect x="${left}" y="${y + 4}" width="${plotW}" height="${laneH - 8}" fill="#fbe3e3"><title>no leader</title></rect>`)
    for (const iv of d.intervals.filter((i) => i.component === lane)) {
      const x0 = x(iv.from)
      const x1 = x(iv.to ?? d.endedAt)
      parts.push(`<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${laneH - 8}" fill="${color(iv.id)}"><title>${esc(iv.id)}${iv.term !== undefined ? ` term ${iv.term}` : ''}: ${iv.from - d.startedAt}–${(iv.to ?? d.endedAt) - d.startedAt} ms</title></rect>`)
      if (x1 - x0 > 60) parts.push(`<text x="${(x0 + 4).toFixed(1)}" y="${y + 17}" fill="#fff">${esc(iv.id)}</text>`)
    }
    for (const f of d.failovers.filter((e) => e.component === lane)) {
      const fx = x(f.time)
      parts.push(`<line x1="${fx.toFixed(1)}" x2="${fx.toFixed(1)}" y1="${y + 2}" y2="${y + laneH - 2}" stroke="${f.event === 'ha.overlap' ? '#d00' : '#222'}" stroke-width="1.5"><title>${esc(f.event)} ${esc(f.from ?? '')} → ${esc(f.to)} gap ${f.gapMs} ms</title></line>`)
    }
  })
  const fy = top + lanes.length * laneH + 4
  parts.push(`<text x="6" y="${fy + 12}" fill="#333">faults</text>`)
  for (const f of d.faults) {
    const fx = x(f.time)
    const w = f.healedAt !== undefined ? Math.max(2, x(f.healedAt) - fx) : 2
    parts.push(`<rect x="${fx.toFixed(1)}" y="${fy}" width="${w.toFixed(1)}" height="${faultsH - 2}" fill="#d62828" opacity="0.8"><title>${esc(f.kind)} ${esc(f.target)} at ${f.time - d.startedAt} ms</title></rect>`)
  }
  for (const r of d.restarts) {
    const rx = x(r.time)
    parts.push(`<circle cx="${rx.toFixed(1)}" cy="${fy + faultsH / 2}" r="3" fill="#222"><title>restarted ${esc(r.id)}${r.downtimeMs !== undefined ? ` after ${r.downtimeMs} ms` : ''}</title></circle>`)
  }
  const axisY = fy + faultsH + 14
  for (let i = 0; i <= 10; i++) {
    const t = d.startedAt + (span * i) / 10
    parts.push(`<text x="${x(t).toFixed(1)}" y="${axisY}" text-anchor="middle" fill="#666">${((t - d.startedAt) / 1000).toFixed(1)}s</text>`)
  }
  parts.push('</svg>')
  return parts.join('\n')
}

export function reportHtml(d: ReportData): string {
  const stats = failoverStats(d.failovers)
  const passed = d.assertions.every((a) => a.passed)
  const rows = (cells: string[][]) => cells.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.scenario)} — actorkube scenario report</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}th{background:#f4f4f4}.pass{color:#1b7f4b;font-weight:600}.fail{color:#c1121f;font-weight:600}</style>
</head><body>
<h1>${esc(d.scenario)} <span class="${passed ? 'pass' : 'fail'}">${passed ? 'PASSED' : 'FAILED'}</span></h1>
<p>mode ${esc(d.mode)}${d.seed !== undefined ? `, seed ${d.seed}` : ''}, ${((d.endedAt - d.startedAt) / 1000).toFixed(1)} s</p>
<h2>Timeline</h2>
${timelineSvg(d)}
<h2>Failover times</h2>
<table><tr><th>component</th><th>failovers</th><th>min</th><th>median</th><th>max</th></tr>
${rows(stats.map((s) => [esc(s.component), String(s.count), `${s.minMs} ms`, `${s.medianMs} ms`, `${s.maxMs} ms`]))}
</table>
<h2>Assertions</h2>
<table><tr><th>assertion</th><th>result</th><th>detail</th></tr>
${rows(d.assertions.map((a) => [esc(a.name), a.passed ? '<span class="pass">pass</span>' : '<span class="fail">fail</span>', esc(a.detail)]))}
</table>
<h2>Faults</h2>
<table><tr><th>at</th><th>fault</th><th>target</th><th>healed</th></tr>
${rows(d.faults.map((f) => [`${f.time - d.startedAt} ms`, esc(f.kind), esc(f.target), f.healedAt !== undefined ? `${f.healedAt - d.startedAt} ms` : '']))}
</table>
</body></html>
`
}
