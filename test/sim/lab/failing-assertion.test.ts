// A scenario whose assertion fails: the CLI exits 1 naming the assertion, the seed and the report.
import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../../../runtime/cli/main.ts'
import type { CliIo } from '../../../runtime/cli/io.ts'

const topology = fileURLToPath(new URL('../../../docs/scenarios/topology-small.yaml', import.meta.url))

function capture(cwd: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (s) => void stdout.push(s), err: (s) => void stderr.push(s), cwd, env: {}, tty: false }
}

t.test('a failed assertion: exit 1, its name, the seed, the report; report.json says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lab-fail-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'missing.yaml'), `apiVersion: actorkube/v1
kind: Scenario
metadata: { name: missing-deployment }
topology: ${topology}
duration: 3s
settle: 1s
assertions:
  - deploymentAvailable: { name: nope, within: 1s }
`)
  const io = capture(dir)
  const code = await main(['scenario', 'run', 'missing.yaml', '--seed', '5', '--data-dir', dir], io)
  t.equal(code, 1)
  const err = io.stderr.join('')
  t.match(err, /scenario missing-deployment failed with seed 5: deploymentAvailable default\/nope within 1000 ms/)
  const reportDir = join(dir, 'scenarios', 'missing-deployment-seed5')
  t.match(err, reportDir)
  const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as { assertions: Array<{ passed: boolean }>; seed: number }
  t.equal(report.seed, 5)
  t.equal(report.assertions[0]?.passed, false)
  t.match(await readFile(join(reportDir, 'report.html'), 'utf8'), /FAILED/)
})

t.test('an assertion the lease timing cannot allow fails before running, with the reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lab-impossible-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'tight.yaml'), `apiVersion: actorkube/v1
kind: Scenario
metadata: { name: tight }
topology: ${topology}
duration: 3s
assertions:
  - failoverGap: { component: controller-manager, maxMs: 100ms }
`)
  const io = capture(dir)
  t.equal(await main(['scenario', 'run', 'tight.yaml', '--sim'], io), 1)
  t.match(io.stderr.join(''), /scenario cannot pass: .*failoverGap controller-manager < 100 ms cannot hold: a standby takes over only after the lease expires/)
})
