import t from 'tap'
import { pack, unpack } from 'msgpackr'
import { Batcher } from '../../../runtime/transport/batcher.ts'
import { copyEnvelope, decodeBatch, encodeBatch } from '../../../runtime/transport/codec.ts'
import type { Envelope } from '../../../runtime/cell.ts'

const env = (i: number, to = 'b-0'): Envelope => ({ from: 'a-0', to, msg: { type: 'data', i, nested: { list: [1, 'x', null], bytes: new Uint8Array([1, 2]) } } as never })

t.test('codec round-trips a batch into a standalone, transferable buffer', async (t) => {
  const batch = [env(1), { ...env(2), corrId: 'c1' }, { ...env(3), corrId: 'c2', reply: true as const }]
  const buf = encodeBatch(batch)
  t.equal(buf.byteOffset, 0, 'the batch starts its buffer')
  const other = encodeBatch([env(9)])
  t.not(other.buffer, buf.buffer, 'each batch has its own buffer (no other batch is packed into it)')
  t.same(decodeBatch(buf), batch)
  // Transferred, as between threads: the sender's view is detached, the receiver decodes.
  const moved = structuredClone(buf, { transfer: [buf.buffer as ArrayBuffer] })
  t.equal(buf.length, 0, 'detached on the sending side')
  t.same(decodeBatch(moved), batch)
  t.same(decodeBatch(other), [env(9)], 'the next batch is intact after the transfer')
  // Other code in the thread packs with msgpackr too (WAL records): it is not disturbed.
  const record = { term: 3, data: new Uint8Array([7, 8]) }
  t.same(unpack(pack(record)), { term: 3, data: Buffer.from([7, 8]) })
  const after = encodeBatch([env(10)])
  structuredClone(after, { transfer: [after.buffer as ArrayBuffer] })
  t.same(unpack(pack(record)), { term: 3, data: Buffer.from([7, 8]) }, 'also right after a transfer')
  const original = env(4)
  const copy = copyEnvelope(original)
  t.same(copy, original)
  t.not(copy.msg, original.msg, 'no shared object after a copy')
})

t.test('codec: every batch decodes on its own, whatever shapes came before', async (t) => {
  // Record definitions travel in each batch: decoding must not depend on earlier batches.
  const shaped = (k: number, n: number): Envelope[] =>
    Array.from({ length: n }, (_, i) => ({ from: 'a-0', to: 'b-0', msg: { type: `t${i % 90}`, [`k${(i + k) % 120}`]: i, labels: { [`app-${i}`]: 'x' } } as never }))
  const batches = [shaped(0, 300), shaped(1, 5), shaped(2, 300)].map((b) => ({ b, buf: encodeBatch(b) }))
  for (const { b, buf } of batches.reverse()) t.same(decodeBatch(buf), b)
  const big = Array.from({ length: 2000 }, (_, i) => ({ from: 'a-0', to: 'b-0', msg: { type: 'data', i, payload: 'x'.repeat(1024) } as never }))
  const bigBuf = encodeBatch(big, 100)
  t.same(decodeBatch(bigBuf), big, 'a batch larger than its size hint')
  const [m] = decodeBatch(encodeBatch([{ from: 'a-0', to: 'b-0', msg: { type: 'm', map: new Map([['k', 1]]), u: undefined, d: new Date(5) } as never }]))
  t.same((m!.msg as unknown as { map: unknown }).map, { k: 1 }, 'a Map arrives as a plain object (as without records)')
  t.ok('u' in (m!.msg as object), 'undefined fields survive')
  t.ok((m!.msg as unknown as { d: unknown }).d instanceof Date)
})

t.test('batcher: one packed batch per destination per flush, in order', async (t) => {
  const out: Array<{ dest: string; envs: Envelope[]; count: number }> = []
  let scheduled: (() => void) | undefined
  let schedules = 0
  const b = new Batcher({
    schedule: (fn) => { schedules++; scheduled = fn },
    sink: (dest, buf, count) => out.push({ dest, envs: decodeBatch(buf), count }),
  })
  for (let i = 0; i < 5; i++) b.push('t1', env(i))
  b.push('t2', env(100, 'c-0'))
  t.equal(out.length, 0, 'nothing sent before the flush')
  t.equal(schedules, 1, 'one flush scheduled for many pushes')
  t.equal(b.pending, 6)
  scheduled!()
  t.equal(out.length, 2)
  t.same(out[0]!.envs.map((e) => (e.msg as unknown as { i: number }).i), [0, 1, 2, 3, 4])
  t.equal(out[0]!.count, 5)
  t.equal(out[1]!.dest, 't2')
  b.push('t1', env(5))
  t.equal(schedules, 2, 'a new flush after the previous one ran')
  t.equal(b.batches, 2)
  t.equal(b.envelopes, 6)
})

t.test('batcher flushes a destination early when its queue is full', async (t) => {
  const sizes: number[] = []
  const b = new Batcher({ schedule: () => {}, sink: (_d, _b, n) => sizes.push(n), maxBatch: 3 })
  for (let i = 0; i < 7; i++) b.push('t1', env(i))
  t.same(sizes, [3, 3])
  b.flush()
  t.same(sizes, [3, 3, 1])
})
