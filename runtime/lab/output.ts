// Writes a run's report.json, report.html and events.ndjson into its output dir.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { failoverStats, reportHtml, type ReportData } from './report.ts'

export async function writeReport(dir: string, report: ReportData, events: ReadonlyArray<Record<string, unknown>>): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true })
  const json = join(dir, 'report.json')
  const html = join(dir, 'report.html')
  await writeFile(json, JSON.stringify({ ...report, failoverStats: failoverStats(report.failovers) }, null, 2) + '\n')
  await writeFile(html, reportHtml(report))
  await writeFile(join(dir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''))
  return { json, html }
}

/** <dataDir>/scenarios/<name>-seed<N> in the simulator, <name>-<timestamp> in real time. */
export function defaultOutDir(dataDir: string, name: string, tag: { seed?: number; startedAt?: number }): string {
  const suffix = tag.seed !== undefined ? `seed${tag.seed}` : new Date(tag.startedAt ?? 0).toISOString().replace(/[:.]/g, '-')
  return join(dataDir, 'scenarios', `${name}-${suffix}`)
}
