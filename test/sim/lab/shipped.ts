// Runs one shipped scenario (docs/scenarios/<name>.yaml) in the simulator over LAB_SEEDS seeds
// (default 2: seeds 1 and 2; SEED=N runs only that seed).
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { loadScenario } from '../../../runtime/lab/scenario.ts'
import { runScenarioSim } from '../../../runtime/lab/run-sim.ts'

export function shippedScenarioTest(name: string): void {
  const file = fileURLToPath(new URL(`../../../docs/scenarios/${name}.yaml`, import.meta.url))
  const n = Number(process.env.LAB_SEEDS ?? 2)
  const seeds = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: n }, (_, i) => i + 1)
  for (const seed of seeds) {
    t.test(`${name} passes with seed ${seed}`, async (t) => {
      const s = await loadScenario(file)
      const r = await runScenarioSim(s, seed)
      for (const a of r.report.assertions) t.ok(a.passed, `${a.name}: ${a.detail} (replay: SEED=${seed})`)
      t.ok(r.report.assertions.length > 0, 'the scenario checks something')
      t.ok(r.report.intervals.some((i) => i.component === 'etcd/main'), 'leadership was tracked')
    })
  }
}
