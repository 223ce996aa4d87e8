// actorkube scenario run file.yaml [--sim --seed N | --seeds A..B] [--out DIR]: run a scenario,
// write report.json/report.html per run, exit 1 naming the failed assertion, seed and report.
import { resolve } from 'node:path'
import { ImpossibleAssertionError } from '../lab/errors.ts'
import { defaultOutDir, writeReport } from '../lab/output.ts'
import { loadScenario } from '../lab/scenario.ts'
import { DATA_DIR, dataDirOf, parse } from './args.ts'
import { UsageError } from './errors.ts'
import type { CliIo } from './io.ts'

export const SCENARIO_OPTIONS = {
  ...DATA_DIR,
  sim: { type: 'boolean' as const },
  seed: { type: 'string' as const },
  seeds: { type: 'string' as const },
  out: { type: 'string' as const },
  json: { type: 'boolean' as const },
}

/** '7' -> [7]; '1..500' -> [1, ..., 500]. */
export function parseSeeds(text: string, flag: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim())
  if (range) {
    const a = Number(range[1])
    const b = Number(range[2])
    if (b < a || b - a > 100_000) throw new UsageError(`${flag} expects a range A..B with A <= B, got "${text}"`)
    return Array.from({ length: b - a + 1 }, (_, i) => a + i)
  }
  if (/^\d+$/.test(text.trim())) return [Number(text)]
  throw new UsageError(`${flag} expects a seed (42) or a range (1..500), got "${text}"`)
}

export async function scenarioCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('scenario', args, SCENARIO_OPTIONS)
  const [sub, file, ...extra] = positionals
  if (sub !== 'run') throw new UsageError(`"actorkube scenario" expects: run <file.yaml> (got ${sub === undefined ? 'nothing' : `"${sub}"`})`)
  if (!file || extra.length) throw new UsageError('"actorkube scenario run" takes one scenario file')
  const seedArg = typeof values.seed === 'string' ? values.seed : undefined
  const seedsArg = typeof values.seeds === 'string' ? values.seeds : undefined
  if (seedArg && seedsArg) throw new UsageError('give --seed or --seeds, not both')
  const sim = values.sim === true || seedArg !== undefined || seedsArg !== undefined
  const seeds = seedsArg ? parseSeeds(seedsArg, '--seeds') : seedArg ? parseSeeds(seedArg, '--seed') : [1]
  const path = resolve(io.cwd, file)
  let scenario
  try {
    scenario = await loadScenario(path)
  } catch (err) {
    if (err instanceof ImpossibleAssertionError) {
      io.err(`actorkube: scenario cannot pass: ${err.message}\n`)
      return 1
    }
    throw err
  }
  const dataDir = resolve(io.cwd, dataDirOf(values, io.env))
  const out = typeof values.out === 'string' ? resolve(io.cwd, values.out) : undefined
  if (!sim) {
    const { runScenarioReal } = await import('../lab/run-real.ts')
    const r = await runScenarioReal(scenario, { dataDir, signal: io.signal, log: (line) => io.out(line + '\n') })
    const dir = out ?? defaultOutDir(dataDir, scenario.name, { startedAt: r.report.startedAt })
    const files = await writeReport(dir, r.report, r.events)
    for (const a of r.report.assertions) io.out(`  ${a.passed ? 'pass' : 'FAIL'}  ${a.name}: ${a.detail}\n`)
    if (r.passed) {
      io.out(`scenario ${scenario.name} passed in real time; report ${files.html}\n`)
      return 0
    }
    io.err(`actorkube: scenario ${scenario.name} failed in real time: ${r.failed.map((a) => `${a.name} (${a.detail})`).join('; ')}; report ${files.html}\n`)
    return 1
  }
  const { runScenarioSim } = await import('../lab/run-sim.ts')
  let failures = 0
  for (const seed of seeds) {
    const r = await runScenarioSim(scenario, seed)
    const dir = out ? (seeds.length > 1 ? resolve(out, `seed${seed}`) : out) : defaultOutDir(dataDir, scenario.name, { seed })
    const files = await writeReport(dir, r.report, r.events)
    if (values.json === true) io.out(JSON.stringify({ seed, passed: r.passed, failed: r.failed, report: files.json }) + '\n')
    else if (seeds.length === 1) for (const a of r.report.assertions) io.out(`  ${a.passed ? 'pass' : 'FAIL'}  ${a.name}: ${a.detail}\n`)
    if (!r.passed) {
      failures++
      io.err(`actorkube: scenario ${scenario.name} failed with seed ${seed}: ${r.failed.map((a) => `${a.name} (${a.detail})`).join('; ')}; report ${files.html} (replay: actorkube scenario run ${file} --sim --seed ${seed})\n`)
    } else if (values.json !== true) io.out(`seed ${seed}: passed (report ${files.html})\n`)
  }
  if (seeds.length > 1) io.out(`scenario ${scenario.name}: ${seeds.length - failures}/${seeds.length} seeds passed\n`)
  return failures ? 1 : 0
}
