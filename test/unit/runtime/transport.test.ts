import t from 'tap'
import { Batcher } from '../../../runtime/transport/batcher.ts'
import { copyEnvelope, decodeBatch, encodeBatch } from '../../../runtime/transport/codec.ts'
import type { Envelope } from '../../../runtime/cell.ts'

const env = (i: number, to = 'b-0'): Envelope => ({ from: 'a-0', to, msg: { type: 'data', i, nested: { list: [1, 'x', null], bytes: new Uint8Array([1, 2]) } } as never })

t.test('codec round-trips a batch into a standalone, transferable buffer', async (t) => {
  const batch = [env(1), { ...env(2), corrId: 'c1' }, { ...env(3), corrId: 'c2', reply: true as const }]
  const buf = encodeBatch(batch)
  t.equal(buf.byteOffset, 0)
  t.equal(buf.buffer.byteLength, buf.length, 'the buffer holds exactly this batch (safe to transfer)')
  const other = encodeBatch([env(9)])
  t.not(other.buffer, buf.buffer, 'each batch has its own buffer')
  t.same(decodeBatch(buf), batch)
  const original = env(4)
  const copy = copyEnvelope(original)
  t.same(copy, original)
  t.not(copy.msg, original.msg, 'no shared object after a copy')
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
