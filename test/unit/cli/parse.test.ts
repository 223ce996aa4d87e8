import t from 'tap'
import { main } from '../../../runtime/cli/main.ts'
import { parseChaos } from '../../../runtime/cli/chaos.ts'
import { memIo } from './fake-control.ts'

t.test('help: top level and per command', async (t) => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const io = memIo()
    t.equal(await main(argv, io), 0)
    t.match(io.text(), /Usage: actorkube <command>/)
    t.match(io.text(), /up \[topology\.yaml\]/)
  }
  const none = memIo()
  t.equal(await main([], none), 2, 'no command is a usage error but prints help')
  t.match(none.text(), /Commands:/)
  for (const cmd of ['up', 'status', 'chaos', 'logs']) {
    const io = memIo()
    t.equal(await main([cmd, '--help'], io), 0)
    t.match(io.text(), new RegExp(`Usage: actorkube ${cmd}`))
    const io2 = memIo()
    t.equal(await main(['help', cmd], io2), 0)
    t.equal(io2.text(), io.text())
  }
  const chaos = memIo()
  await main(['chaos', '--help'], chaos)
  for (const f of ['kill', 'crash', 'hang', 'pause', 'resume', 'partition', 'heal', 'delay', 'drop', 'duplicate', 'skew-clock', 'disk-slow', 'disk-fail']) {
    t.match(chaos.text(), new RegExp(`\\n  ${f} `), `chaos help lists ${f}`)
  }
})

t.test('unknown commands and flags: exit 2, named, no stack trace', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['frob'], /unknown command "frob" \(commands: up, status, chaos, logs/],
    [['--frob'], /unknown option --frob/],
    [['status', '--frob'], /unknown option --frob for "actorkube status" \(valid: --data-dir <value>, --json, --help\)/],
    [['logs', '--tail', '5'], /unknown option --tail for "actorkube logs"/],
    [['logs', 'extra'], /"actorkube logs" takes no arguments/],
    [['status', '--data-dir'], /option --data-dir of "actorkube status" needs a value/],
    [['up', '--frob'], /unknown option --frob for "actorkube up"/],
    [['up', 'a.yaml', 'b.yaml'], /takes one topology file/],
    [['help', 'frob'], /unknown command "frob"/],
  ]
  for (const [argv, re] of cases) {
    const io = memIo()
    t.equal(await main(argv, io), 2, argv.join(' '))
    t.match(io.errText(), re, argv.join(' '))
    t.notMatch(io.errText(), /\n\s+at /, 'no stack trace')
  }
})

t.test('chaos arguments become faults', async (t) => {
  const cases: Array<[string[], unknown]> = [
    [['crash', 'scheduler-0'], { kind: 'crash', target: 'scheduler-0' }],
    [['kill', 'leader:scheduler'], { kind: 'kill', target: 'leader:scheduler' }],
    [['hang', 'etcd-main-0', '--ms', '2s'], { kind: 'hang', target: 'etcd-main-0', ms: 2000 }],
    [['pause', 'kubelet@node-1', '--for', '3s'], { kind: 'pause', target: 'kubelet@node-1', durationMs: 3000 }],
    [['resume', 'kubelet@node-1'], { kind: 'resume', target: 'kubelet@node-1' }],
    [['partition', '--from', 'apiserver-0,apiserver-1', '--to', 'etcd-main-2'], { kind: 'partition', a: ['apiserver-0', 'apiserver-1'], b: ['etcd-main-2'] }],
    [['partition', 'etcd-main-0', '--rest'], { kind: 'partition', a: ['etcd-main-0'], b: ['*'] }],
    [['partition', 'etcd-main-0'], { kind: 'partition', a: ['etcd-main-0'], b: ['*'] }],
    [['delay', 'apiserver-1', '--ms', '200', '--jitter-ms', '50'], { kind: 'delay', from: ['apiserver-1'], ms: 200, jitterMs: 50 }],
    [['delay', '--from', 'a-0', '--to', 'b-0,b-1', '--ms', '1s'], { kind: 'delay', from: ['a-0'], to: ['b-0', 'b-1'], ms: 1000 }],
    [['drop', 'apiserver-0', '--probability', '0.25'], { kind: 'drop', from: ['apiserver-0'], probability: 0.25 }],
    [['drop', '--to', 'apiserver-0'], { kind: 'drop', to: ['apiserver-0'], probability: 1 }],
    [['duplicate', 'scheduler-0', '--probability', '1'], { kind: 'duplicate', from: ['scheduler-0'], probability: 1 }],
    [['reorder', 'scheduler-0', '--window-ms', '100'], { kind: 'reorder', from: ['scheduler-0'], windowMs: 100 }],
    [['skew-clock', 'controller-manager-0', '--ms=-1500'], { kind: 'skew-clock', target: 'controller-manager-0', ms: -1500 }],
    [['skew-clock', 'controller-manager-0', '--ms', '5s'], { kind: 'skew-clock', target: 'controller-manager-0', ms: 5000 }],
    [['disk-slow', 'etcd-main-1', '--ms', '300ms'], { kind: 'disk-slow', target: 'etcd-main-1', ms: 300 }],
    [['disk-fail', 'etcd-main-1'], { kind: 'disk-fail', target: 'etcd-main-1' }],
  ]
  for (const [argv, fault] of cases) {
    const { action } = parseChaos(argv)
    t.same(action.kind === 'inject' ? action.fault : action, fault, argv.join(' '))
  }
  t.same(parseChaos(['heal', '--all']).action, { kind: 'heal', id: undefined })
  t.same(parseChaos(['heal', 'f3']).action, { kind: 'heal', id: 'f3' })
})

t.test('bad chaos input: exit 2 with the valid choices', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [[], /needs a fault: one of kill, crash, hang, pause, resume, partition, heal, delay, drop, duplicate, reorder, skew-clock, disk-slow, disk-fail/],
    [['explode', 'x'], /unknown fault "explode" \(valid faults: kill, crash/],
    [['crash'], /"actorkube chaos crash" needs a target, such as scheduler-0/],
    [['crash', 'a-0', 'b-0'], /takes one target, got also: b-0/],
    [['crash', 'a-0', '--ms', '5'], /option --ms does not apply to "crash" \(valid for crash: --for, --data-dir, --json\)/],
    [['delay', 'a-0'], /--ms required for a delay fault/],
    [['delay', 'a-0', '--ms', 'soon'], /--ms: expected a duration in ms/],
    [['drop', 'a-0', '--probability', '2'], /--probability: expected a number from 0 to 1, got "2"/],
    [['skew-clock', 'a-0'], /--ms required for a skew-clock fault/],
    [['disk-slow', 'a-0', '--ms=-5'], /--ms: expected a duration in ms .* >= 0/],
    [['partition'], /needs a target \(with --rest, the default\) or both --from A,B and --to C/],
    [['partition', '--from', 'a-0'], /needs a target .* or both --from A,B and --to C/],
    [['partition', 'a-0', '--to', 'b-0'], /takes a target .* or --from A,B --to C, not both/],
    [['heal'], /needs a fault id .* or --all/],
    [['heal', 'f1', '--all'], /takes a fault id or --all, not both/],
    [['pause', 'a-0', '--for', 'ever'], /--for: expected a duration/],
    [['drop'], /needs a target, --from or --to/],
    [['crash', 'a-0', '--bogus'], /unknown option --bogus for "actorkube chaos"/],
  ]
  for (const [argv, re] of cases) {
    const io = memIo()
    t.equal(await main(['chaos', ...argv], io), 2, argv.join(' '))
    t.match(io.errText(), re, argv.join(' ') || '(none)')
  }
})

t.test('commands that need a cluster say where they looked and how to start one', async (t) => {
  for (const cmd of [['status'], ['chaos', 'crash', 'scheduler-0'], ['logs', '--follow']]) {
    const io = memIo({ env: { ACTORKUBE_DATA_DIR: '/nonexistent/ak' } })
    t.equal(await main(cmd, io), 1)
    t.match(io.errText(), /no running cluster in \/nonexistent\/ak \(no control\.json\); start one with: actorkube up/)
  }
  const io = memIo()
  t.equal(await main(['logs', '--data-dir', '/nonexistent/ak'], io), 1)
  t.match(io.errText(), /no log file at \/nonexistent\/ak\/logs\/actorkube\.ndjson/)
})

t.test('an invalid topology is printed field by field, exit 2', async (t) => {
  const io = memIo()
  const bad = new URL('../../fixtures/topologies/bad.yaml', import.meta.url).pathname
  t.equal(await main(['up', bad, '--data-dir', '/nonexistent/never-created'], io), 2)
  t.match(io.errText(), /actorkube: invalid topology .*bad\.yaml:\n {2}etcd\.shards\[1\]\.replicas: expected an integer >= 1, got "three"\n {2}apiservers\.count: expected an integer >= 1, got 0\n/)
  t.notMatch(io.errText(), /\n\s+at /)
})
