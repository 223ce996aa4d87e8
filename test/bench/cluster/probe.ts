// A memory probe, one per thread: the thread's V8 heap after a full GC (when the process runs
// with --expose-gc; the benchmark script turns the flag on before any thread starts).
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8'
import type { ActorFactory, Behaviour, Ctx, Message, MsgMeta } from '../../../runtime/actor.ts'
import type { MemReply } from './protocol.ts'

export interface ProbeArgs {
  thread: string
}

export const create: ActorFactory<ProbeArgs> = (ctx: Ctx, args: ProbeArgs): Behaviour => ({
  receive(msg: Message, meta: MsgMeta) {
    if (msg.type !== 'bench.mem') return
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    const h = getHeapStatistics()
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size }]))
    const r: MemReply = {
      type: 'bench.mem.reply', thread: args.thread, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size, heapPhysical: h.total_physical_size, malloced: h.malloced_memory,
      spaces, external: h.external_memory, rss: process.memoryUsage.rss(), gc: gc !== undefined,
    }
    ctx.reply(meta, r)
  },
})
