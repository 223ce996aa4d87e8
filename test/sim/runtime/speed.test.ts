import t from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../../fixtures/runtime/sim-rate-main.ts', import.meta.url))

// The target is 100k msgs/s (test/bench/runtime.ts measures it alone on the machine); under a
// parallel test run the floor guards against a large regression only.
const floor = Number(process.env.SIM_RATE_FLOOR ?? 15_000)

t.test('the simulator keeps its message rate', async (t) => {
  // Measured in a child process: coverage instrumentation in the test process slows it down.
  const env = { ...process.env }
  delete env.NODE_V8_COVERAGE
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', script, '200000'], { env, timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  )
  const { rate } = JSON.parse(out) as { rate: number }
  t.comment(`${Math.round(rate)} simulated messages/s`)
  t.ok(rate >= floor, `${Math.round(rate)} msgs/s >= ${floor}`)
})
