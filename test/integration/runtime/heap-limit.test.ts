// The plan's threadHeap (placement.threadMaxOldGenerationMb, ...): worker threads get those V8 heap limits; a thread that runs out of it
// exits, is reported as out of memory, and its actors start again on a fresh thread.
import t from 'tap'
import { Supervisor } from '../../../runtime/host/supervisor.ts'
import type { ClusterPlan } from '../../../runtime/plan.ts'
import { child, plan, registryPath, sup } from '../../fixtures/runtime/plan.ts'
import { memoryLogger, nextEvent, waitFor } from '../../fixtures/runtime/wait.ts'

const MiB = 2 ** 20

async function heapLimit(threadHeap: ClusterPlan['threadHeap']): Promise<number> {
  const { logger } = memoryLogger()
  const s = new Supervisor(plan(sup('root', 'one_for_one', [child({ id: 'a', thread: 't0' })]), threadHeap ? { threadHeap } : {}), { registry: registryPath, logger, standbyThreads: 0 })
  await s.start()
  try {
    return ((await s.ask('a', { type: 'mem' } as never, 5000)) as unknown as { heapLimit: number }).heapLimit
  } finally {
    await s.stop()
  }
}

t.test('threadHeap sets each thread heap limit', async (t) => {
  const limited = await heapLimit({ maxOldGenerationSizeMb: 96 })
  const young = await heapLimit({ maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 12 })
  const unlimited = await heapLimit(undefined)
  t.ok(limited >= 96 * MiB && limited < 200 * MiB, `limit ${Math.round(limited / MiB)} MiB: the old generation's 96 MiB and the young one's`)
  t.ok(young >= 96 * MiB && young <= limited - 24 * MiB, `a 12 MiB young generation instead of 48: ${Math.round(young / MiB)} MiB`)
  t.ok(unlimited > limited, `without it V8's default holds (${Math.round(unlimited / MiB)} MiB)`)
})

t.test('a thread that runs out of heap exits and its actors start again', async (t) => {
  const { logger } = memoryLogger()
  const s = new Supervisor(plan(sup('root', 'one_for_one', [child({ id: 'hog-0', thread: 'h0' })], 10, 60_000), { threadHeap: { maxOldGenerationSizeMb: 64 }, hangTimeoutMs: 5000 }), { registry: registryPath, logger, standbyThreads: 0 })
  t.teardown(() => s.stop())
  await s.start()
  const exited = nextEvent(s, (e) => e.event === 'worker.exited' && e.thread === 'h0', 60_000)
  s.ask('hog-0', { type: 'hog' } as never, 60_000).catch(() => {})
  const ev = await exited
  t.match(String(ev.reason), /memory limit/i, `the reason names the memory limit: ${String(ev.reason)}`)
  await waitFor(() => s.actorStatus('hog-0')?.state === 'running' && s.actorStatus('hog-0')!.restarts >= 1, 30_000, 'hog-0 restarted')
  t.equal(((await s.ask('hog-0', { type: 'ping', n: 1 } as never, 5000)) as { type: string }).type, 'pong', 'it answers again')
})
