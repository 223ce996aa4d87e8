// Two shipped scenarios in real time: worker threads through the Supervisor, the workload over
// the apiservers' HTTP gateways, faults through Supervisor.inject.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { loadScenario } from '../../../runtime/lab/scenario.ts'
import { runScenarioReal } from '../../../runtime/lab/run-real.ts'

// The two run side by side: most of a run is waiting for the scenario's timeline.
t.jobs = 2

for (const name of ['scheduler-leader-crash', 'etcd-leader-kill']) {
  t.test(`${name} passes in real time`, { timeout: 150_000 }, async (t) => {
    const s = await loadScenario(fileURLToPath(new URL(`../../../docs/scenarios/${name}.yaml`, import.meta.url)))
    const r = await runScenarioReal(s)
    for (const a of r.report.assertions) t.ok(a.passed, `${a.name}: ${a.detail}`)
    t.ok(r.report.faults.length > 0, 'the fault hit')
    t.ok(r.report.intervals.some((i) => i.component === 'etcd/main'), 'leadership was tracked from reports')
  })
}
