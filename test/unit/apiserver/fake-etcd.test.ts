import t from 'tap'
import { FakeEtcdStore } from '../../helpers/fake-etcd.ts'
import type { Message } from '../../../runtime/actor.ts'

const enc = (s: string) => new TextEncoder().encode(s)

t.test('fake etcd: revisions, txn compares, watch from a revision, compaction', async (t) => {
  const s = new FakeEtcdStore('main')
  const sent: Array<{ to: string; msg: Message }> = []
  s.attach('etcd-main-0', (to, msg) => sent.push({ to, msg }))
  const put = (k: string, v: string) => s.handle('etcd-main-0', 'apiserver-0', { type: 'kv.put', key: k, value: enc(v) }) as unknown as { header: { revision: number } }
  t.equal(put('/a', '1').header.revision, 2)
  t.equal(put('/a', '2').header.revision, 3)
  put('/b', '1')
  const r = s.handle('etcd-main-0', 'x', { type: 'kv.range', key: '/', prefix: true }) as unknown as { kvs: Array<{ key: string; modRevision: number; createRevision: number; version: number }> }
  t.same(r.kvs.map((kv) => [kv.key, kv.createRevision, kv.modRevision, kv.version]), [['/a', 2, 3, 2], ['/b', 4, 4, 1]])
  const old = s.handle('etcd-main-0', 'x', { type: 'kv.range', key: '/a', revision: 2 }) as unknown as { kvs: Array<{ value: Uint8Array }> }
  t.equal(new TextDecoder().decode(old.kvs[0]!.value), '1', 'read at a past revision')
  const fail = s.handle('etcd-main-0', 'x', { type: 'kv.txn', compare: [{ key: '/a', target: 'mod', result: '=', value: 2 }], success: [{ op: 'put', key: '/a', value: enc('3') }], failure: [{ op: 'range', key: '/a' }] }) as unknown as { succeeded: boolean }
  t.equal(fail.succeeded, false)
  const okTx = s.handle('etcd-main-0', 'x', { type: 'kv.txn', compare: [{ key: '/a', target: 'mod', result: '=', value: 3 }], success: [{ op: 'put', key: '/a', value: enc('3') }], failure: [] }) as unknown as { succeeded: boolean; header: { revision: number } }
  t.equal(okTx.succeeded, true)
  t.equal(okTx.header.revision, 5)
  s.handle('etcd-main-0', 'apiserver-0', { type: 'kv.watch.create', watchId: 'w', key: '/a', startRevision: 3 })
  s.pump()
  const evs = sent.filter((x) => x.msg.type === 'kv.watch.events').flatMap((x) => (x.msg as unknown as { events: Array<{ kv: { modRevision: number } }> }).events.map((e) => e.kv.modRevision))
  t.same(evs, [3, 5], 'watch replays from its start revision, only its keys')
  s.handle('etcd-main-0', 'x', { type: 'kv.compact', revision: 4 })
  const c = s.handle('etcd-main-0', 'x', { type: 'kv.range', key: '/a', revision: 3 }) as unknown as { type: string; code: string }
  t.equal(c.code, 'KV_COMPACTED')
  const w2 = s.handle('etcd-main-0', 'apiserver-0', { type: 'kv.watch.create', watchId: 'w2', key: '/a', startRevision: 2 }) as unknown as { code: string }
  t.equal(w2.code, 'KV_COMPACTED')
  const live = s.handle('etcd-main-0', 'x', { type: 'kv.range', key: '/', prefix: true }) as unknown as { kvs: unknown[] }
  t.equal(live.kvs.length, 2, 'compaction keeps live keys')
})
