import t from 'tap'
import { parseFault, FaultError } from '../../../runtime/faults/validate.ts'
import { resolveTarget, type TargetView } from '../../../runtime/faults/targets.ts'
import { judge } from '../../../runtime/faults/links.ts'
import { FaultBook } from '../../../runtime/faults/book.ts'
import type { LinkRule } from '../../../runtime/faults/types.ts'
import type { WorkerFault } from '../../../runtime/host/protocol.ts'

const view: TargetView[] = [
  { id: 'scheduler-0', thread: 't-s0', running: true, report: { info: { leader: false } } },
  { id: 'scheduler-1', thread: 't-s1', running: true, report: { info: { leader: true } } },
  { id: 'etcd-main-0', thread: 't-e0', running: true, report: { info: { leader: true } } },
  { id: 'etcd-events-0', thread: 't-e1', running: true, report: { info: { leader: true } } },
  { id: 'kubelet@n1', thread: 'nodes-0', running: true, report: {} },
  { id: 'kube-proxy@n1', thread: 'nodes-0', running: true, report: {} },
  { id: 'kubelet@n2', thread: 'nodes-0', running: true, report: {} },
]

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof FaultError) return e.field
    throw e
  }
  return undefined
}

t.test('parseFault accepts each kind and names the bad field', async (t) => {
  t.same(parseFault({ kind: 'crash', target: 'a-0' }), { kind: 'crash', target: 'a-0' })
  t.ok(parseFault({ kind: 'partition', a: ['a'], b: ['b'], durationMs: 100 }))
  t.ok(parseFault({ kind: 'drop', probability: 0.5 }))
  t.ok(parseFault({ kind: 'skew-clock', target: 'x', ms: -5000 }))
  t.equal(fieldOf(() => parseFault({ kind: 'explode' })), 'kind')
  t.equal(fieldOf(() => parseFault({ kind: 'crash' })), 'target')
  t.equal(fieldOf(() => parseFault({ kind: 'drop', probability: 2 })), 'probability')
  t.equal(fieldOf(() => parseFault({ kind: 'delay', ms: -1 })), 'ms')
  t.equal(fieldOf(() => parseFault({ kind: 'partition', a: [], b: ['x'] })), 'a')
  t.equal(fieldOf(() => parseFault({ kind: 'crash', target: 'x', colour: 'red' })), 'colour')
  t.equal(fieldOf(() => parseFault([1])), '')
  try {
    parseFault({ kind: 'drop', probability: 2 })
  } catch (e) {
    t.equal((e as FaultError).code, 'FAULT_INVALID')
    t.match((e as Error).message, /probability: expected a probability/)
  }
})

t.test('targets: names, threads, nodes, leaders, random', async (t) => {
  const rnd = () => 0
  t.same(resolveTarget('scheduler-0', view, rnd), ['scheduler-0'])
  t.same(resolveTarget('leader:scheduler', view, rnd), ['scheduler-1'])
  t.same(resolveTarget('leader:etcd/events', view, rnd), ['etcd-events-0'])
  t.same(resolveTarget('node:n1', view, rnd), ['kubelet@n1', 'kube-proxy@n1'])
  t.same(resolveTarget('thread:nodes-0', view, rnd), ['kubelet@n1', 'kube-proxy@n1', 'kubelet@n2'])
  t.same(resolveTarget('random:kubelet', view, () => 0.99), ['kubelet@n2'])
  try {
    resolveTarget('scheduler-9', view, rnd)
    t.fail('should throw')
  } catch (e) {
    t.equal((e as FaultError).code, 'FAULT_TARGET_UNKNOWN')
    t.match((e as Error).message, /valid targets: scheduler-0, scheduler-1/)
  }
  t.throws(() => resolveTarget('leader:controller-manager', view, rnd), { code: 'FAULT_TARGET_UNKNOWN' })
})

t.test('link rules: partition both ways, drop, duplicate, delay, reorder', async (t) => {
  const part: LinkRule = { id: 'p', kind: 'partition', from: ['a'], to: ['b'] }
  t.same(judge([part], 'a', 'b', () => 0).copies, [])
  t.same(judge([part], 'b', 'a', () => 0).copies, [])
  t.same(judge([part], 'a', 'c', () => 0).copies, [0])
  t.same(judge([{ id: 'd', kind: 'drop', probability: 0.5 }], 'x', 'y', () => 0.4).copies, [])
  t.same(judge([{ id: 'd', kind: 'drop', probability: 0.5 }], 'x', 'y', () => 0.6).copies, [0])
  t.same(judge([{ id: 'u', kind: 'duplicate', probability: 1, to: ['y'] }], 'x', 'y', () => 0.5).copies, [0, 0])
  t.same(judge([{ id: 'u', kind: 'duplicate', probability: 1, to: ['y'] }], 'x', 'z', () => 0.5).copies, [0], 'only the matching link')
  t.same(judge([{ id: 'l', kind: 'delay', ms: 10, jitterMs: 10 }], 'x', 'y', () => 0.5).copies, [15])
  t.same(judge([{ id: 'r', kind: 'reorder', windowMs: 100 }], 'x', 'y', () => 0.25).copies, [25])
})

function fakeHost() {
  const cmds: Array<[string, WorkerFault]> = []
  const events: Array<[string, Record<string, unknown>]> = []
  let rules: LinkRule[] = []
  const timers: Array<() => void> = []
  let n = 0
  const book = new FaultBook({
    view: () => view,
    threads: () => ['t-s0', 't-s1', 't-e0', 't-e1', 'nodes-0'],
    toThread: (th, f) => cmds.push([`thread:${th}`, f]),
    toActor: (id, f) => cmds.push([id, f]),
    links: (r) => (rules = r),
    event: (e, f) => events.push([e, f]),
    newId: () => `f${++n}`,
    random: () => 0,
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
  })
  return { book, cmds, events, rules: () => rules, timers }
}

t.test('fault book: each kind becomes host commands; heal undoes; events logged', async (t) => {
  const h = fakeHost()
  h.book.inject({ kind: 'crash', target: 'leader:scheduler' })
  h.book.inject({ kind: 'kill', target: 'kubelet@n2' })
  h.book.inject({ kind: 'hang', target: 'thread:t-e0', ms: 50 })
  const p = h.book.inject({ kind: 'pause', target: 'scheduler-0' })
  const s = h.book.inject({ kind: 'skew-clock', target: 'scheduler-0', ms: 3000 })
  const d = h.book.inject({ kind: 'disk-slow', target: 'etcd-main-0', ms: 200 })
  h.book.inject({ kind: 'disk-fail', target: 'etcd-main-0' })
  t.same(h.cmds, [
    ['scheduler-1', { f: 'crash', id: 'scheduler-1' }],
    ['thread:nodes-0', { f: 'exit' }],
    ['thread:t-e0', { f: 'hang', ms: 50 }],
    ['scheduler-0', { f: 'pause', id: 'scheduler-0' }],
    ['scheduler-0', { f: 'skew', id: 'scheduler-0', ms: 3000 }],
    ['etcd-main-0', { f: 'disk-slow', id: 'etcd-main-0', ms: 200 }],
    ['etcd-main-0', { f: 'disk-fail', id: 'etcd-main-0' }],
  ])
  t.equal(p.active, true)
  t.same(h.book.active().map((a) => a.kind), ['pause', 'skew-clock', 'disk-slow', 'disk-fail'])
  h.cmds.length = 0
  h.book.heal(s.id)
  t.same(h.cmds, [['scheduler-0', { f: 'skew', id: 'scheduler-0', ms: 0 }]])
  h.cmds.length = 0
  h.book.inject({ kind: 'resume', target: 'scheduler-0' })
  t.notOk(h.book.active().some((a) => a.id === p.id), 'resume retires the pause')
  t.ok(h.book.active().some((a) => a.id === d.id))
  const part = h.book.inject({ kind: 'partition', a: ['leader:scheduler'], b: ['node:n1'], durationMs: 500 })
  t.same(h.rules(), [{ id: part.id, kind: 'partition', from: ['scheduler-1'], to: ['kubelet@n1', 'kube-proxy@n1'] }])
  h.book.inject({ kind: 'drop', to: ['scheduler-0'], probability: 0.3 })
  h.book.inject({ kind: 'duplicate', probability: 0.1 })
  h.book.inject({ kind: 'delay', from: ['scheduler-0'], ms: 20, jitterMs: 5 })
  h.book.inject({ kind: 'reorder', windowMs: 30 })
  t.same(h.rules().map((r) => r.kind), ['partition', 'drop', 'duplicate', 'delay', 'reorder'])
  t.equal(h.timers.length, 1, 'durationMs arms a heal timer')
  h.timers[0]!()
  t.same(h.rules().map((r) => r.kind), ['drop', 'duplicate', 'delay', 'reorder'], 'the partition healed itself')
  h.book.inject({ kind: 'heal' })
  t.same(h.rules(), [])
  t.same(h.book.active(), [])
  const injected = h.events.filter(([e]) => e === 'fault.injected')
  const healed = h.events.filter(([e]) => e === 'fault.healed')
  t.equal(injected.length, 13)
  t.ok(healed.length >= 7)
  t.same(injected[0]![1], { fault: 'f1', kind: 'crash', targets: ['scheduler-1'], params: { kind: 'crash', target: 'leader:scheduler' } })
  t.throws(() => h.book.heal('nope'), { code: 'FAULT_NOT_FOUND' })
  t.throws(() => h.book.inject({ kind: 'kill', target: 'thread:zzz' }), { code: 'FAULT_TARGET_UNKNOWN' })
  t.equal(fieldOf(() => h.book.inject({ kind: 'partition', a: ['scheduler-0'], b: ['ghost-0'] })), 'b[0]')
})
