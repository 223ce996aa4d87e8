import t from 'tap'
import { WatchCache, Watcher } from '../../../actors/apiserver/watch-cache.ts'
import { kindFor } from '../../../actors/apiserver/kinds.ts'
import { parseFieldSelector, parseLabelSelector } from '../../../actors/apiserver/selectors.ts'
import { ApiError } from '../../../actors/apiserver/errors.ts'
import type { WatchEvent } from '../../../protocols/api.ts'
import type { KObject, Status } from '../../../protocols/k8s.ts'

const pod = (name: string, rev: number, labels: Record<string, string> = {}): KObject => ({ metadata: { name, namespace: 'default', resourceVersion: String(rev), labels } })
const key = (n: string) => `/registry/pods/default/${n}`

function sink() {
  const got: WatchEvent[] = []
  const closed: Array<Status | undefined> = []
  return { got, closed, sink: { send: (e: WatchEvent[]) => got.push(...e), close: (s?: Status) => closed.push(s) } }
}
const names = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${(e.object as KObject).metadata.name ?? ''}@${(e.object as KObject).metadata.resourceVersion}`)

t.test('window, replay, 410, selection transitions, bookmarks', async (t) => {
  const c = new WatchCache(kindFor('', 'pods')!, 3)
  c.reset([[key('a'), pod('a', 5)]], 10)
  const s0 = sink()
  c.watch({ labels: [], fields: [], bookmarks: false }, s0.sink)
  t.same(names(s0.got), ['ADDED a@5'], 'no RV: ADDED for existing objects')

  const s1 = sink()
  c.watch({ labels: parseLabelSelector('app=web'), fields: [], fromRev: 10, bookmarks: true }, s1.sink)
  const step = (k: string, rev: number, o: KObject | undefined) => {
    const e = c.apply(key(k), rev, o)
    c.publish(e ? [e] : [], rev)
  }
  step('b', 11, pod('b', 11, { app: 'web' }))
  step('b', 12, pod('b', 12, { app: 'db' }))
  step('b', 13, pod('b', 13, { app: 'web' }))
  step('b', 14, undefined)
  step('c', 15, pod('c', 15))
  t.same(names(s1.got), ['ADDED b@11', 'DELETED b@12', 'ADDED b@13', 'DELETED b@14'], 'leaving and entering the selection')
  t.same(names(s0.got).slice(1), ['ADDED b@11', 'MODIFIED b@12', 'MODIFIED b@13', 'DELETED b@14', 'ADDED c@15'])

  const s2 = sink()
  c.watch({ labels: [], fields: [], fromRev: 13, bookmarks: false }, s2.sink)
  t.same(names(s2.got), ['DELETED b@14', 'ADDED c@15'], 'replay from the window')
  t.throws(() => c.watch({ labels: [], fields: [], fromRev: 11, bookmarks: false }, sink().sink), ApiError)
  try {
    c.watch({ labels: [], fields: [], fromRev: 11, bookmarks: false }, sink().sink)
  } catch (e) {
    t.equal((e as ApiError).status.code, 410)
    t.equal((e as ApiError).status.reason, 'Expired')
  }

  c.publish([], 20)
  c.sendBookmarks()
  const bm = s1.got[s1.got.length - 1]!
  t.equal(bm.type, 'BOOKMARK')
  t.equal((bm.object as KObject).metadata.resourceVersion, '20', 'bookmark carries the shard revision')
  t.equal(s0.got.filter((e) => e.type === 'BOOKMARK').length, 0, 'only to watchers that asked')

  c.reset([], 30)
  t.equal(s1.closed.length, 1, 'a reset closes the watchers (they re-watch)')
  t.equal(s1.closed[0], undefined, 'without 410')
})

t.test('watchers of one node\'s pods are offered only the events that name that node, before or after', async (t) => {
  const c = new WatchCache(kindFor('', 'pods')!, 100)
  c.reset([], 1)
  const onNode = (name: string, rev: number, node?: string): KObject => ({ metadata: { name, namespace: 'default', resourceVersion: String(rev) }, spec: node ? { nodeName: node } : {} } as KObject)
  let offered = 0
  const counting = () => {
    const s = sink()
    return { ...s, sink: { ...s.sink, send: (e: WatchEvent[]) => { offered += e.length; s.sink.send(e) } } }
  }
  const n1 = counting()
  const n2 = counting()
  const unscheduled = counting()
  const all = sink()
  c.watch({ labels: [], fields: parseFieldSelector('spec.nodeName=n1', 'pods'), fromRev: 1, bookmarks: false }, n1.sink)
  const w2 = c.watch({ labels: [], fields: parseFieldSelector('spec.nodeName=n2', 'pods'), fromRev: 1, bookmarks: false }, n2.sink)
  c.watch({ labels: [], fields: parseFieldSelector('spec.nodeName=', 'pods'), fromRev: 1, bookmarks: false }, unscheduled.sink)
  c.watch({ labels: [], fields: [], fromRev: 1, bookmarks: false }, all.sink)
  let rev = 1
  const step = (name: string, o: KObject | undefined) => {
    rev++
    const e = c.apply(`/registry/pods/default/${name}`, rev, o)
    c.publish(e ? [e] : [], rev)
  }
  step('p', onNode('p', 2))
  step('p', onNode('p', 3, 'n1'))
  step('q', onNode('q', 4, 'n2'))
  step('p', onNode('p', 5, 'n2'))
  step('q', undefined)
  t.same(names(unscheduled.got), ['ADDED p@2', 'DELETED p@3'], 'the scheduler\'s view: pending, then bound away')
  t.same(names(n1.got), ['ADDED p@3', 'DELETED p@5'], 'n1: bound here, then moved away')
  t.same(names(n2.got), ['ADDED q@4', 'ADDED p@5', 'DELETED q@6'])
  t.equal(names(all.got).length, 5, 'unindexed watchers get everything')
  c.remove(w2)
  step('r', onNode('r', 7, 'n2'))
  t.equal(n2.got.length, 3, 'a removed watcher gets nothing more')
  t.equal(offered, 7, 'each indexed watcher got only its own events')
})

t.test('with 1,000 node watchers, an event is checked against the watchers of its node only', async (t) => {
  const c = new WatchCache(kindFor('', 'pods')!, 100)
  c.reset([], 1)
  const checked = new Map<Watcher, number>()
  const view = Watcher.prototype.view
  Watcher.prototype.view = function (this: Watcher, e) {
    checked.set(this, (checked.get(this) ?? 0) + 1)
    return view.call(this, e)
  }
  t.teardown(() => {
    Watcher.prototype.view = view
  })
  for (let i = 0; i < 1000; i++) c.watch({ labels: [], fields: parseFieldSelector(`spec.nodeName=n${i}`, 'pods'), fromRev: 1, bookmarks: false }, sink().sink)
  const e = c.apply('/registry/pods/default/p', 2, { metadata: { name: 'p', namespace: 'default', resourceVersion: '2' }, spec: { nodeName: 'n7' } } as KObject)!
  c.publish([e], 2)
  t.equal([...checked.values()].reduce((a, b) => a + b, 0), 1, 'one check, not 1,000')
})

t.test('the objects are indexed by the indexed field: a list naming a node reads only its pods, across moves, deletes and resets', async (t) => {
  const c = new WatchCache(kindFor('', 'pods')!, 10)
  const on = (name: string, rev: number, node?: string): KObject => ({ metadata: { name, namespace: 'default', resourceVersion: String(rev) }, spec: node ? { nodeName: node } : {} } as KObject)
  c.reset([[key('a'), on('a', 1, 'n1')], [key('b'), on('b', 2)]], 2)
  const of = (sel: string) => c.candidates(parseFieldSelector(sel, 'pods'))
  t.same(of('spec.nodeName=n1'), [key('a')])
  t.same(of('spec.nodeName='), [key('b')], 'pending pods are indexed under the empty value')
  c.apply(key('b'), 3, on('b', 3, 'n1'))
  c.apply(key('c'), 4, on('c', 4, 'n2'))
  t.same(of('spec.nodeName=n1'), [key('a'), key('b')], 'bound: moved from pending to n1, in key order')
  t.same(of('spec.nodeName='), [])
  c.apply(key('a'), 5, undefined)
  t.same(of('spec.nodeName=n1'), [key('b')], 'deleted: gone from the index')
  t.same(of('spec.nodeName!=n1'), undefined, 'only equality reads the index')
  t.same(of('metadata.name=c'), undefined, 'other fields list every object')
  c.reset([[key('z'), on('z', 9, 'n2')]], 9)
  t.same(of('spec.nodeName=n2'), [key('z')], 'reset rebuilds the index')
  t.same(of('spec.nodeName=n1'), [])
})
