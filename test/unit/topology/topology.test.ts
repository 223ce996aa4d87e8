import t from 'tap'
import { fileURLToPath } from 'node:url'
import { loadTopology, parseTopology, TopologyError } from '../../../runtime/topology/index.ts'
import { errorCode } from '../../../runtime/errors.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/topologies/${name}`, import.meta.url))
const head = 'apiVersion: actorkube/v1\nkind: Topology\n'

function problems(text: string): string[] {
  try {
    parseTopology(text, 'test.yaml')
  } catch (err) {
    if (err instanceof TopologyError) return err.lines
    throw err
  }
  return []
}

t.test('the default HA topology ships with the package and has the lab timings', async (t) => {
  const d = await loadTopology()
  t.equal(d.source, '<default>')
  t.same(d.etcd.shards.map((s) => [s.name, s.replicas, s.resources]), [['main', 3, []], ['events', 3, ['events']]])
  t.equal(d.defaultShard, 'main')
  t.equal(d.apiservers.count, 2)
  t.equal(d.apiservers.http.port, 6443)
  t.equal(d.apiservers.http.host, '127.0.0.1')
  t.equal(d.scheduler.count, 2)
  t.equal(d.controllerManager.count, 2)
  t.same(d.scheduler.lease, { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 500 })
  t.same(d.controllerManager.lease, { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 500 })
  t.equal(d.etcd.shards[0].raft.heartbeatMs, 50)
  t.same(d.etcd.shards[0].raft.electionTimeoutMs, [300, 600])
  t.equal(d.nodes.timings.nodeLeaseDurationMs, 4000)
  t.equal(d.controllerManager.nodeMonitorGracePeriodMs, 8000)
  t.equal(d.controllerManager.podEvictionTimeoutMs, 10_000)
  t.same(d.nodeList.map((n) => [n.name, n.podCIDR]), [['node-0', '127.244.0.0/24'], ['node-1', '127.244.1.0/24'], ['node-2', '127.244.2.0/24']])
  t.equal(d.addons.dns.enabled, true)
  t.equal(d.addons.dns.port, 10053)
  t.equal(d.addons.dashboard.enabled, true)
  t.equal(d.addons.ingress.enabled, false)
  t.same(d.warnings, [])
})

t.test('a document with only apiVersion and kind gets the same defaults as the shipped file', async (t) => {
  const shipped = await loadTopology()
  const minimal = parseTopology(head, 'minimal.yaml')
  t.same({ ...minimal, source: '' }, { ...shipped, source: '' })
})

t.test('every section of a full file is read, durations parsed, explicit nodes merged', async (t) => {
  const d = await loadTopology(fixture('full.yaml'))
  t.same(d.etcd.shards[0].raft, { heartbeatMs: 100, electionTimeoutMs: [1000, 2000], snapshotEntries: 500, historyRevisions: 2000 })
  t.equal(d.apiservers.requestTimeoutMs, 30_000)
  t.equal(d.apiservers.http.instancePortBase, 17000)
  t.equal(d.controllerManager.podEvictionTimeoutMs, 60_000)
  t.same(d.nodes.timings.crashLoopBackoff, { initialMs: 500, maxMs: 10_000, resetMs: 30_000 })
  t.same(d.nodeList.map((n) => n.name), ['gpu-0', 'worker-0', 'worker-1', 'worker-2', 'worker-3'])
  const gpu = d.nodeList[0]
  t.same(gpu.capacity, { cpu: '16', memory: '16Gi', pods: '50' }, 'node capacity overrides one field, keeps the rest')
  t.same(gpu.labels, { tier: 'general', accelerator: 'gpu' })
  t.same(gpu.taints, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])
  t.equal(gpu.runtime, 'process')
  t.equal(d.nodeList[4].podCIDR, '127.200.4.0/24')
  t.equal(d.kubeProxy.mode, 'least-connections')
  t.equal(d.supervision.hangTimeoutMs, 400)
  t.same(d.tokens, [
    { token: 'admin-token', user: 'admin', uid: 'uid-1', groups: ['system:masters', 'devs'] },
    { token: 'view-token', user: 'viewer', uid: 'uid-2', groups: [] },
  ])
  t.same(d.faults[0], { atMs: 5000, fault: { kind: 'crash', target: 'scheduler-0' } })
  t.same(d.faults[1], { atMs: 8000, fault: { kind: 'partition', a: ['etcd-main-0'], b: ['*'], durationMs: 3000 } })
  t.same(d.faults[2].fault, { kind: 'partition', a: ['apiserver-0'], b: ['etcd-main-1', 'etcd-main-2'] })
  t.same(d.faults[3].fault, { kind: 'delay', from: ['apiserver-1'], ms: 200, durationMs: 5000 })
  t.same(d.faults[4].fault, { kind: 'drop', from: ['kubelet@gpu-0'], to: ['apiserver-0'], probability: 0.5 })
  t.same(d.faults[6].fault, { kind: 'heal' })
})

t.test('JSON is accepted too', async (t) => {
  const d = parseTopology(JSON.stringify({ apiVersion: 'actorkube/v1', kind: 'Topology', apiservers: { count: 3 } }), 'x.json')
  t.equal(d.apiservers.count, 3)
})

t.test('errors name the field path and what was expected', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['replicas as a word', 'etcd:\n  shards:\n    - name: main\n    - { name: ev, replicas: three }\n', 'etcd.shards[1].replicas: expected an integer >= 1, got "three"'],
    ['zero apiservers', 'apiservers: { count: 0 }\n', 'apiservers.count: expected an integer >= 1, got 0'],
    ['unknown field', 'scheduler: { cuont: 2 }\n', 'scheduler.cuont: unknown field (expected one of: count, schedulerName, percentageOfNodesToScore, lease)'],
    ['unknown top-level field', 'extra: 1\n', 'extra: unknown field'],
    ['wrong enum', 'nodes: { runtime: docker }\n', 'nodes.runtime: expected one of "sim", "process", got "docker"'],
    ['bad duration', 'scheduler: { lease: { leaseDurationMs: soon } }\n', 'scheduler.lease.leaseDurationMs: expected a duration >= 1ms'],
    ['wrong type for a section', 'apiservers: 3\n', 'apiservers: expected a map of fields, got 3'],
    ['bad quantity', 'nodes: { capacity: { memory: lots } }\n', 'nodes.capacity.memory: expected a quantity'],
    ['port out of range', 'addons: { dns: { port: 70000 } }\n', 'addons.dns.port: expected an integer from 0 to 65535, got 70000'],
    ['non-loopback pod range', 'network: { podCIDR: 10.0.0.0/16 }\n', 'network.podCIDR: expected a range inside 127.0.0.0/8'],
    ['overlapping ranges', 'network: { serviceCIDR: 127.244.8.0/24 }\n', 'network.serviceCIDR: expected a range that does not overlap podCIDR'],
    ['bad CIDR', 'network: { serviceCIDR: 127.96/16 }\n', 'network.serviceCIDR: expected an IPv4 CIDR'],
    ['pod range too small for /24s', 'network: { podCIDR: 127.244.0.0/25 }\n', 'network.podCIDR: expected a prefix of /24 or wider'],
    ['too many nodes for the pod range', 'network: { podCIDR: 127.244.0.0/23 }\nnodes: { count: 3 }\n', 'nodes: expected at most 2 nodes'],
    ['lease order', 'controllerManager: { lease: { renewDeadlineMs: 3s } }\n', 'controllerManager.lease.renewDeadlineMs: expected less than leaseDurationMs (2000), got 3000'],
    ['election range', 'etcd: { shards: [ { name: main, raft: { electionTimeoutMs: [600, 300] } } ] }\n', 'etcd.shards[0].raft.electionTimeoutMs: expected [min, max] with min <= max'],
    ['heartbeat vs election', 'etcd: { shards: [ { name: main, raft: { heartbeatMs: 400 } } ] }\n', 'etcd.shards[0].raft.heartbeatMs: expected less than the minimum election timeout'],
    ['duplicate shard', 'etcd: { shards: [ { name: main }, { name: main } ] }\n', 'etcd.shards[1].name: expected a unique shard name'],
    ['resource in two shards', 'etcd: { shards: [ { name: main }, { name: a, resources: [events] }, { name: b, resources: [events] } ] }\n', 'etcd.shards[2].resources[0]: expected each resource in one shard only'],
    ['no default shard', 'etcd: { shards: [ { name: a, resources: [pods] } ] }\n', 'etcd.shards: expected one shard without resources'],
    ['no shards', 'etcd: { shards: [] }\n', 'etcd.shards: expected at least 1 item(s)'],
    ['bad shard name', 'etcd: { shards: [ { name: Main } ] }\n', 'etcd.shards[0].name: expected a lowercase name'],
    ['duplicate node', 'nodes: { list: [ { name: a }, { name: a } ] }\n', 'nodes.list[1].name: expected a unique node name'],
    ['generated name collides', 'nodes: { count: 2, list: [ { name: node-1 } ] }\n', 'nodes.count: expected generated node names not to collide'],
    ['bad taint effect', 'nodes: { taints: [ { key: a, effect: Sometimes } ] }\n', 'nodes.taints[0].effect: expected one of "NoSchedule", "PreferNoSchedule", "NoExecute"'],
    ['lb port clashes with instances', 'apiservers: { count: 2, http: { port: 7001, instancePortBase: 7000 } }\n', 'apiservers.http.port: expected a port outside'],
    ['addon port clash', 'addons: { dashboard: { port: 6443 } }\n', 'addons.dashboard.port: expected a port not used by apiservers.http.port'],
    ['jitter out of range', 'supervision: { backoff: { jitter: 2 } }\n', 'supervision.backoff.jitter: expected a number from 0 to 1, got 2'],
    ['hang timeout below heartbeat', 'supervision: { heartbeatMs: 500, hangTimeoutMs: 100 }\n', 'supervision.hangTimeoutMs: expected more than heartbeatMs'],
    ['storage mode', 'storage: { mode: tape }\n', 'storage.mode: expected one of "disk", "memory", got "tape"'],
    ['fault without a kind', 'faults: [ { at: 1s } ]\n', 'faults[0]: expected exactly one fault kind'],
    ['fault unknown option', 'faults: [ { at: 1s, crash: scheduler-0, when: now } ]\n', 'faults[0].when: unknown field'],
    ['fault bad time', 'faults: [ { at: later, crash: scheduler-0 } ]\n', "faults[0].at: expected a duration"],
    ['fault missing ms', 'faults: [ { at: 1s, delay: apiserver-0 } ]\n', 'faults[0].ms: expected'],
    ['fault bad probability', 'faults: [ { at: 1s, drop: apiserver-0, probability: 3 } ]\n', 'faults[0].probability: expected a probability between 0 and 1'],
    ['fault unknown target', 'faults: [ { at: 1s, crash: sched-0 } ]\n', 'faults[0].crash: expected an actor of this topology'],
    ['fault target out of range', 'faults: [ { at: 1s, kill: scheduler-5 } ]\n', 'faults[0].kill: expected an actor of this topology'],
    ['fault unknown shard leader', 'faults: [ { at: 1s, kill: leader:etcd/nope } ]\n', 'faults[0].kill: expected an actor of this topology'],
    ['wrong apiVersion', 'apiVersion: actorkube/v2\n', 'apiVersion: expected "actorkube/v1", got "actorkube/v2"'],
  ]
  for (const [name, body, expected] of cases) {
    const text = body.startsWith('apiVersion') ? `${body}kind: Topology\n` : head + body
    const lines = problems(text)
    t.ok(lines.some((l) => l.startsWith(expected)), `${name}: ${JSON.stringify(lines)}`)
  }
})

t.test('all invalid fields are reported at once, with code CONFIG_INVALID and the first path', async (t) => {
  try {
    await loadTopology(fixture('bad.yaml'))
    t.fail('expected an error')
  } catch (err) {
    t.equal(errorCode(err), 'CONFIG_INVALID')
    t.ok(err instanceof TopologyError)
    const e = err as TopologyError
    t.equal(e.path, 'etcd.shards[1].replicas')
    t.same(e.lines, ['etcd.shards[1].replicas: expected an integer >= 1, got "three"', 'apiservers.count: expected an integer >= 1, got 0'])
    t.equal(e.source, fixture('bad.yaml'))
  }
})

t.test('an even etcd replica count is allowed with a warning', async (t) => {
  const d = parseTopology(head + 'etcd: { shards: [ { name: main, replicas: 2 } ] }\n', 'even.yaml')
  t.equal(d.etcd.shards[0].replicas, 2)
  t.match(d.warnings, [/^etcd\.shards\[0\]\.replicas: 2 replicas/])
})

t.test('non-loopback ranges need allowNonLoopback', async (t) => {
  const d = parseTopology(head + 'network: { podCIDR: 10.1.0.0/16, allowNonLoopback: true }\n', 'x.yaml')
  t.equal(d.nodeList[0].podCIDR, '10.1.0.0/24')
})

t.test('an explicit node list alone means no generated nodes', async (t) => {
  const d = parseTopology(head + 'nodes: { list: [ { name: only } ] }\n', 'x.yaml')
  t.same(d.nodeList.map((n) => n.name), ['only'])
  t.equal(d.nodes.count, 0)
})

t.test('YAML syntax errors and unreadable files are ConfigErrors', async (t) => {
  t.match(problems('apiVersion: [unclosed\n'), [/^expected YAML or JSON \(line \d+, column \d+\)/])
  t.match(problems(head + 'a: 1\na: 2\n'), [/^expected YAML or JSON/], 'duplicate keys are rejected')
  await t.rejects(loadTopology('/nonexistent/topology.yaml'), { code: 'CONFIG_INVALID', message: /cannot read topology file .*no such file/ })
})

t.test('a token file with a bad line names the file and line', async (t) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = await mkdtemp(join(tmpdir(), 'ak-topo-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 't.yaml'), head + 'apiservers: { tokenFile: tok.csv }\n')
  await writeFile(join(dir, 'tok.csv'), 'good,user,uid\nbad-line\n')
  await t.rejects(loadTopology(join(dir, 't.yaml')), { message: /apiservers\.tokenFile: .*tok\.csv line 2: expected token,user,uid/ })
  await writeFile(join(dir, 'u.yaml'), head + 'apiservers: { tokenFile: missing.csv }\n')
  await t.rejects(loadTopology(join(dir, 'u.yaml')), { message: /apiservers\.tokenFile: expected a readable token file/ })
})
