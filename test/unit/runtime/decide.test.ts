import t from 'tap'
import { decide, type DecideChild, type DecideInput } from '../../../runtime/supervisor/decide.ts'
import { backoffDelay } from '../../../runtime/supervisor/backoff.ts'
import { SupervisionTree } from '../../../runtime/supervisor/tree.ts'

const kids: DecideChild[] = [
  { id: 'a', restart: 'permanent' },
  { id: 'b', restart: 'transient' },
  { id: 'c', restart: 'temporary' },
  { id: 'd', restart: 'permanent' },
]

function input(o: Partial<DecideInput>): DecideInput {
  return { strategy: 'one_for_one', intensity: 3, periodMs: 1000, children: kids, failed: 'a', abnormal: true, history: [], now: 10_000, ...o }
}

t.test('strategies choose which children restart', async (t) => {
  const table: Array<[DecideInput['strategy'], string, string[], string[], string[]]> = [
    // strategy, failed, terminate, restart, remove
    ['one_for_one', 'a', [], ['a'], []],
    ['one_for_one', 'd', [], ['d'], []],
    ['one_for_all', 'b', ['a', 'c', 'd'], ['a', 'b', 'd'], ['c']],
    ['one_for_all', 'a', ['b', 'c', 'd'], ['a', 'b', 'd'], ['c']],
    ['rest_for_one', 'b', ['c', 'd'], ['b', 'd'], ['c']],
    ['rest_for_one', 'd', [], ['d'], []],
  ]
  for (const [strategy, failed, terminate, restart, remove] of table) {
    const d = decide(input({ strategy, failed }))
    t.same(d, { action: 'restart', terminate, restart, remove, history: [10_000] }, `${strategy} ${failed}`)
  }
})

t.test('restart types: permanent always, transient only when abnormal, temporary never', async (t) => {
  t.equal(decide(input({ failed: 'a', abnormal: false })).action, 'restart')
  t.equal(decide(input({ failed: 'b', abnormal: true })).action, 'restart')
  t.same(decide(input({ failed: 'b', abnormal: false })), { action: 'ignore', remove: ['b'], history: [] })
  t.same(decide(input({ failed: 'c', abnormal: true })), { action: 'ignore', remove: ['c'], history: [] })
  t.equal(decide(input({ failed: 'zz' })).action, 'ignore', 'unknown child is ignored')
})

t.test('intensity within period escalates; old restarts fall out of the window', async (t) => {
  const d1 = decide(input({ history: [9_500, 9_600, 9_700] }))
  t.equal(d1.action, 'escalate', 'a fourth restart within 1 s with intensity 3')
  t.same(d1.action === 'escalate' ? d1.terminate : [], ['b', 'c', 'd'])
  const d2 = decide(input({ history: [8_000, 8_500, 9_700] }))
  t.equal(d2.action, 'restart', 'restarts older than the period do not count')
  t.same(d2.history, [9_700, 10_000])
  t.equal(decide(input({ intensity: 0 })).action, 'escalate', 'intensity 0: any restart escalates')
})

t.test('backoff doubles per attempt, is capped, and jitters within bounds', async (t) => {
  const b = { initialMs: 10, maxMs: 100, jitter: 0 }
  t.same([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(b, n, () => 0.5)), [10, 20, 40, 80, 100, 100])
  const j = { initialMs: 100, maxMs: 1000, jitter: 0.5 }
  t.equal(backoffDelay(j, 1, () => 0), 50)
  t.equal(backoffDelay(j, 1, () => 0.999999), 150)
  t.equal(backoffDelay({ initialMs: 0, maxMs: 0, jitter: 0.3 }, 1, () => 0.9), 0)
})

t.test('the tree indexes parents, children and actors under a node', async (t) => {
  const backoff = { initialMs: 0, maxMs: 0, jitter: 0 }
  const leaf = (id: string, thread: string) => ({ spec: { id, kind: 'echo', args: {} }, thread, restart: 'permanent' as const, backoff })
  const tree = new SupervisionTree({
    root: { id: 'root', strategy: 'one_for_one', intensity: 1, periodMs: 1, children: [leaf('a-0', 't0'), { id: 'sub', strategy: 'one_for_all', intensity: 1, periodMs: 1, children: [leaf('b-0', 't1'), leaf('c-0', 't0')] }] },
  })
  t.same(tree.order, ['a-0', 'b-0', 'c-0'])
  t.equal(tree.parentOf.get('c-0'), 'sub')
  t.equal(tree.parentOf.get('sub'), 'root')
  t.same(tree.actorsUnder('sub'), ['b-0', 'c-0'])
  t.same(tree.threads(), ['t0', 't1'])
  t.same(tree.childrenOf('root'), [{ id: 'a-0', restart: 'permanent' }, { id: 'sub', restart: 'permanent' }])
  t.throws(() => new SupervisionTree({ root: { id: 'r', strategy: 'one_for_one', intensity: 1, periodMs: 1, children: [leaf('a-0', 't'), leaf('a-0', 't')] } }), /duplicate/)
})
