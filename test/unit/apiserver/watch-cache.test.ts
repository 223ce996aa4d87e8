import t from 'tap'
import { WatchCache } from '../../../actors/apiserver/watch-cache.ts'
import { kindFor } from '../../../actors/apiserver/kinds.ts'
import { parseLabelSelector } from '../../../actors/apiserver/selectors.ts'
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
