import t from 'tap'
import { RequestLog } from '../../../actors/etcd/mvcc/requests.ts'
import { MvccStore } from '../../../actors/etcd/mvcc/store.ts'
import { prefixEnd } from '../../../protocols/kv.ts'
import { WatchHub } from '../../../actors/etcd/mvcc/watch.ts'
import { KvStoreError } from '../../../actors/etcd/mvcc/errors.ts'
import type { KvWatchEvents } from '../../../protocols/kv.ts'

const b = (s: string) => new TextEncoder().encode(s)
const s = (u: Uint8Array) => new TextDecoder().decode(u)

t.test('put/range/delete with revisions, versions and prevKv', async (t) => {
  const st = new MvccStore()
  st.apply({ op: 'put', key: '/a/1', value: b('x') })
  const r2 = st.apply({ op: 'put', key: '/a/1', value: b('y'), prevKv: true })
  t.equal(r2.revision, 2)
  t.same(r2.result.op === 'put' && s(r2.result.prevKv!.value), 'x')
  st.apply({ op: 'put', key: '/a/2', value: b('z') })
  st.apply({ op: 'put', key: '/b', value: b('w') })
  const all = st.range({ key: '/a/', prefix: true })
  t.same(all.kvs.map((k) => [k.key, s(k.value), k.createRevision, k.modRevision, k.version]), [['/a/1', 'y', 1, 2, 2], ['/a/2', 'z', 3, 3, 1]])
  t.same(st.range({ key: '/a/', prefix: true, limit: 1 }).more, true)
  t.same(st.range({ key: '/a/', prefix: true, countOnly: true }).count, 2)
  t.same(st.range({ key: '/a/1', revision: 1 }).kvs.map((k) => s(k.value)), ['x'], 'read at an old revision')
  const d = st.apply({ op: 'delete', key: '/a/', prefix: true, prevKv: true })
  t.same(d.result, { op: 'delete', deleted: 2, prevKvs: d.result.op === 'delete' ? d.result.prevKvs : [] })
  t.equal(d.revision, 5, 'one revision for the whole delete')
  t.equal(st.range({ key: '/a/', prefix: true }).count, 0)
  t.equal(st.apply({ op: 'delete', key: '/nope' }).revision, 5, 'deleting nothing does not bump the revision')
  t.equal(st.range({ key: '/a/', end: prefixEnd('/a/'), revision: 4 }).count, 2)
  const recreated = st.apply({ op: 'put', key: '/a/1', value: b('n') })
  t.equal(st.get('/a/1')?.createRevision, recreated.revision)
  t.equal(st.get('/a/1')?.version, 1)
})

t.test('txn: compare mod revision (optimistic concurrency) and existence', async (t) => {
  const st = new MvccStore()
  st.apply({ op: 'put', key: 'k', value: b('1') })
  const mod = st.get('k')!.modRevision
  const create = { op: 'txn' as const, compare: [{ key: 'new', target: 'create' as const, result: '=' as const, value: 0 }], success: [{ op: 'put' as const, key: 'new', value: b('n') }], failure: [{ op: 'range' as const, key: 'new' }] }
  const ok = st.apply(create)
  t.ok(ok.result.op === 'txn' && ok.result.succeeded)
  const again = st.apply(create)
  t.ok(again.result.op === 'txn' && !again.result.succeeded, 'create-if-absent fails the second time')
  t.ok(again.result.op === 'txn' && again.result.responses[0].op === 'range')
  const cas = (rev: number) => st.apply({ op: 'txn', compare: [{ key: 'k', target: 'mod', result: '=', value: rev }], success: [{ op: 'put', key: 'k', value: b(`after-${rev}`) }, { op: 'put', key: 'k2', value: b('x') }], failure: [] })
  const c1 = cas(mod)
  t.ok(c1.result.op === 'txn' && c1.result.succeeded)
  t.equal(st.get('k')!.modRevision, st.get('k2')!.modRevision, 'all txn writes at one revision')
  const c2 = cas(mod)
  t.ok(c2.result.op === 'txn' && !c2.result.succeeded, 'stale mod revision conflicts')
  t.equal(c2.revision, c1.revision, 'a failed txn with no writes does not bump the revision')
})

t.test('compaction: reads and watches below it fail with KV_COMPACTED; latest values survive', async (t) => {
  const st = new MvccStore()
  for (let i = 0; i < 10; i++) st.apply({ op: 'put', key: `k${i % 3}`, value: b(`${i}`) })
  st.apply({ op: 'delete', key: 'k0' })
  st.apply({ op: 'compact', revision: 11 })
  t.equal(st.compactRevision, 11)
  t.throws(() => st.range({ key: 'k1', revision: 5 }), { code: 'KV_COMPACTED' })
  t.throws(() => st.range({ key: 'k1', revision: 50 }), { code: 'KV_FUTURE_REV' })
  t.same(st.range({ key: 'k', prefix: true }).kvs.map((k) => s(k.value)), ['7', '8'])
  t.throws(() => st.eventsSince(3, { key: 'k', prefix: true }, false), KvStoreError)
  const again = st.apply({ op: 'compact', revision: 5 })
  t.ok(again.result.op === 'error' && again.result.error.code === 'KV_COMPACTED')
})

t.test('automatic compaction keeps historyRevisions', async (t) => {
  const st = new MvccStore(100)
  for (let i = 0; i < 1000; i++) st.apply({ op: 'put', key: `k${i % 7}`, value: b(`${i}`) })
  t.ok(st.compactRevision > 0 && st.revision - st.compactRevision <= 100 + 64)
  t.equal(st.range({ key: 'k', prefix: true }).count, 7)
})

t.test('snapshot encode/decode round-trips history', async (t) => {
  const st = new MvccStore()
  for (let i = 0; i < 20; i++) st.apply({ op: 'put', key: `k${i % 4}`, value: b(`${i}`) })
  const c = MvccStore.decode(st.encode())
  t.same(c.range({ key: 'k', prefix: true }), st.range({ key: 'k', prefix: true }))
  t.same(c.range({ key: 'k', prefix: true, revision: 7 }), st.range({ key: 'k', prefix: true, revision: 7 }))
  t.equal(c.revision, st.revision)
})

t.test('watch: catch-up from a revision, then live events in order, prevKv and progress', async (t) => {
  const st = new MvccStore()
  const hub = new WatchHub()
  for (let i = 1; i <= 5; i++) st.apply({ op: 'put', key: `/p/${i % 2}`, value: b(`${i}`) })
  st.apply({ op: 'put', key: '/other', value: b('o') })
  const sends = hub.create('apiserver-0', { type: 'kv.watch.create', watchId: 'w1', key: '/p/', prefix: true, startRevision: 2, prevKv: true, progressNotify: true }, st)
  t.same(sends.map((x) => (x.msg as KvWatchEvents).revision), [2, 3, 4, 5])
  t.equal(s((sends[2].msg as KvWatchEvents).events[0].prevKv!.value), '2', 'prevKv of /p/0 at rev 4 is rev 2')
  const out = st.apply({ op: 'put', key: '/p/1', value: b('live') })
  const live = hub.onApply(out.revision, out.events)
  t.same(live.map((x) => (x.msg as KvWatchEvents).revision), [7])
  const other = st.apply({ op: 'put', key: '/other', value: b('o2') })
  t.same(hub.onApply(other.revision, other.events), [], 'non-matching key: nothing sent')
  t.same(hub.progress(st.revision).map((x) => (x.msg as KvWatchEvents).revision), [8])
  st.apply({ op: 'compact', revision: 8 })
  t.throws(() => hub.create('apiserver-0', { type: 'kv.watch.create', watchId: 'w2', key: '/p/', prefix: true, startRevision: 3 }, st), { code: 'KV_COMPACTED' })
  t.ok(hub.cancel('apiserver-0', 'w1'))
  t.equal(hub.size, 0)
})

t.test('request ids: a repeated id is not applied again and gets the first answer; snapshots keep the ids; oldest forgotten first', async (t) => {
  const st = new MvccStore()
  const create = { op: 'txn' as const, compare: [{ key: '/r', target: 'create' as const, result: '=' as const, value: 0 }], success: [{ op: 'put' as const, key: '/r', value: b('1') }], failure: [] }
  const first = st.apply(create, 'req-a')
  t.equal(first.revision, 1)
  t.same(first.result, { op: 'txn', succeeded: true, responses: [{ op: 'put' }] })
  const again = st.apply(create, 'req-a')
  t.ok(again.duplicate, 'recognised as a repeat')
  t.same(again.result, first.result, 'the first answer')
  t.equal(again.revision, 1, 'at the first revision')
  t.same(again.events, [], 'no events')
  t.equal(st.revision, 1, 'nothing applied')
  const plain = st.apply(create)
  t.equal((plain.result as { succeeded?: boolean }).succeeded, false, 'without an id the compare is evaluated again')

  // A write that changed nothing is not remembered (applying it again is harmless).
  st.apply({ op: 'delete', key: '/none' }, 'req-noop')
  t.equal(st.requests.get('req-noop'), undefined)

  const copy = MvccStore.decode(st.encode())
  t.ok(copy.apply(create, 'req-a').duplicate, 'a replica restored from a snapshot knows the id')
  t.equal(copy.revision, st.revision)

  const small = new RequestLog(3)
  for (const id of ['a', 'b', 'c', 'd']) small.add(id, { revision: 1, result: { op: 'compact' } })
  t.equal(small.size, 3)
  t.equal(small.get('a'), undefined, 'the oldest id is forgotten')
  t.ok(small.get('d'))
})

t.test('snapshots are encoded and decoded in parts of about SNAPSHOT_PART_BYTES, history included', async (t) => {
  const st = new MvccStore()
  const big = new Uint8Array(100_000).fill(7)
  for (let i = 0; i < 60; i++) st.apply({ op: 'put', key: `/k/${i % 20}`, value: big })
  st.apply({ op: 'put', key: '/small', value: b('x') })
  const enc = st.encodeParts()
  let pauses = 0
  let r = enc.next()
  while (!r.done) {
    pauses++
    r = enc.next()
  }
  t.ok(pauses >= 4, `6 MB of values in parts of ~1 MB: ${pauses} pauses`)
  const dec = MvccStore.decodeParts(r.value)
  let d = dec.next()
  let dpauses = 0
  while (!d.done) {
    dpauses++
    d = dec.next()
  }
  t.equal(dpauses, pauses + 1, 'decoding pauses after each part')
  const copy = d.value
  t.equal(copy.revision, st.revision)
  t.same(copy.range({ key: '/k/', prefix: true }).kvs.map((kv) => kv.key), st.range({ key: '/k/', prefix: true }).kvs.map((kv) => kv.key))
  t.same(copy.range({ key: '/k/3', revision: 24 }).kvs[0]?.modRevision, 24, 'history survives')
  t.equal(s(copy.get('/small')!.value), 'x')
})

t.test('a snapshot written with every key in one list (the earlier format) still decodes', async (t) => {
  const { pack } = await import('msgpackr')
  const old = pack({ revision: 2, compactRevision: 0, keys: [['/a', [{ rev: 1, sub: 0, create: 1, ver: 1, value: b('1'), deleted: false }]], ['/b', [{ rev: 2, sub: 0, create: 2, ver: 1, value: b('2'), deleted: false }]]], requests: [] })
  const st = MvccStore.decode(old)
  t.equal(st.revision, 2)
  t.equal(s(st.get('/b')!.value), '2')
})
