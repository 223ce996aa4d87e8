import t from 'tap'
import { fileURLToPath } from 'node:url'
import { dirname } from 'node:path'
import { parseScenario, minimumGapMs } from '../../../runtime/lab/scenario.ts'
import { ImpossibleAssertionError, ScenarioError } from '../../../runtime/lab/errors.ts'
import { parseSeeds } from '../../../runtime/cli/scenario.ts'

const dir = dirname(fileURLToPath(new URL('../../../docs/scenarios/topology-small.yaml', import.meta.url)))

const base = `apiVersion: actorkube/v1
kind: Scenario
metadata: { name: t1 }
topology: topology-small.yaml
duration: 5s
`

t.test('a valid scenario: topology path, manifests, faults with dynamic targets, assertions', async (t) => {
  const s = await parseScenario(base + `workload:
  manifests: [web.yaml]
  writes: { perSecond: 4 }
faults:
  - { at: 2s, kill: leader:scheduler }
  - { at: 3s, partition: { a: [etcd-main-0], b: rest }, for: 1s }
assertions:
  - failoverGap: { component: scheduler, maxMs: 3s }
  - noAcknowledgedWriteLost: true
  - singleLeader: true
`, 'mem.yaml', dir)
  t.equal(s.durationMs, 5000)
  t.equal(s.manifests[0]?.kind, 'Deployment')
  t.same(s.writes, { perSecond: 4, namespace: 'default', prefix: 'lab-write' })
  t.same(s.faults[0], { atMs: 2000, fault: { kind: 'kill', target: 'leader:scheduler' } })
  t.same(s.faults[1]?.fault, { kind: 'partition', a: ['etcd-main-0'], b: ['*'], durationMs: 1000 })
  t.equal(s.topology.metadata.name, 'lab-small')
  t.equal(s.assertions.length, 3)
})

t.test('errors name the field path', async (t) => {
  const err = await parseScenario(base + `faults:
  - { at: soon, kill: scheduler-0 }
  - { at: 1s, kill: scheduler-9 }
assertions:
  - { failoverGap: { component: scheduler } }
  - { bogus: 1 }
`, 'bad.yaml', dir).catch((e: unknown) => e)
  t.ok(err instanceof ScenarioError)
  const lines = (err as ScenarioError).lines.join('\n')
  t.match(lines, /faults\[0\]\.at: expected a duration/)
  t.match(lines, /assertions\[0\]\.failoverGap\.maxMs/)
  t.match(lines, /assertions\[1\]/)
  t.equal((err as ScenarioError).code, 'CONFIG_INVALID')
})

t.test('unknown static targets are refused with the valid ones', async (t) => {
  const err = await parseScenario(base + `faults:
  - { at: 1s, kill: scheduler-9 }
`, 'bad.yaml', dir).catch((e: unknown) => e)
  t.ok(err instanceof ScenarioError)
  t.match((err as ScenarioError).lines[0], /faults\[0\]\.kill: unknown target "scheduler-9"; valid: .*scheduler-0/)
})

t.test('a gap below what the lease timing allows cannot hold', async (t) => {
  const err = await parseScenario(base + `assertions:
  - failoverGap: { component: scheduler, maxMs: 200ms }
`, 'tight.yaml', dir).catch((e: unknown) => e)
  t.ok(err instanceof ImpossibleAssertionError)
  t.equal((err as ImpossibleAssertionError).code, 'SCENARIO_IMPOSSIBLE')
  t.match((err as Error).message, /failoverGap scheduler < 200 ms cannot hold: a standby takes over only after the lease expires \(leaseDuration - retryPeriod = 1500 ms/)
})

t.test('minimum gaps from the topology timings', async (t) => {
  const s = await parseScenario(base, 'ok.yaml', dir)
  t.equal(minimumGapMs(s.topology, 'scheduler'), 1500)
  t.equal(minimumGapMs(s.topology, 'etcd/main'), 250)
  t.equal(minimumGapMs(s.topology, 'kubelet'), undefined)
})

t.test('seed lists', async (t) => {
  t.same(parseSeeds('7', '--seed'), [7])
  t.same(parseSeeds('3..5', '--seeds'), [3, 4, 5])
  t.throws(() => parseSeeds('5..3', '--seeds'), { code: 'CLI_USAGE' })
  t.throws(() => parseSeeds('x', '--seed'))
})
