import t from 'tap'
import { currentTid, parseStatCpuMs, threadCpuMs } from '../../../runtime/host/thread-cpu.ts'

t.test('utime + stime are read after the command name, whatever it holds', async (t) => {
  const line = '4242 (node (worker) 1) R 1 4242 4242 0 -1 4194560 1234 0 5 0 250 37 0 0 20 0 12 0 100 0 0'
  t.equal(parseStatCpuMs(line), 2870, '(250 + 37) ticks at 100 per second')
  t.equal(parseStatCpuMs(line, 1000), 287)
  t.equal(parseStatCpuMs('no command name here'), undefined)
  t.equal(parseStatCpuMs('1 (x) R 1 2'), undefined, 'too few fields')
})

t.test('on Linux, this thread\'s CPU time grows while it computes', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const tid = currentTid()
  t.ok(tid !== undefined && tid > 0, `thread id ${tid}`)
  const before = threadCpuMs(tid!)!
  // Spin until the reading moves (ticks are 10 ms), with a generous wall-clock bound.
  const end = Date.now() + 10_000
  let after = before
  while (Date.now() < end && after - before < 30) after = threadCpuMs(tid!)!
  t.ok(after - before >= 30, `the reading grew by ${after - before} ms while spinning`)
  t.equal(threadCpuMs(2 ** 31 - 1), undefined, 'no such thread')
})
