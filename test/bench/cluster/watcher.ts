// A fan-out watcher: one API client actor watching the pods of a namespace, as an informer's
// watch does (flow-control acks through the client library). It keeps the time each pod's ADDED
// event arrived and reports ready once it has seen a warm-up pod (its watch is established).
import type { ActorFactory, Behaviour, Ctx, Message, MsgMeta } from '../../../runtime/actor.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import type { WatchHandle } from '../../../actors/client/types.ts'
import type { ReceiptsReply } from './protocol.ts'

export interface WatcherArgs {
  apiservers: string[]
  namespace: string
  /** A pod whose name starts with this, once seen, shows the watch is established. */
  warmupPrefix: string
}

export const create: ActorFactory<WatcherArgs> = (ctx: Ctx, args: WatcherArgs): Behaviour => {
  const client = createApiClient(ctx, { apiservers: args.apiservers, requestTimeoutMs: 30_000 })
  const times: Record<string, number> = {}
  /** Watches that ended (and were resumed) after this one was first established. */
  let closed = 0
  let established = false
  let handle: WatchHandle | undefined
  let lastRv = ''
  const watch = (rv: string) => {
    handle = client.watch(R.pods, args.namespace, { resourceVersion: rv }, {
      onEvent: (ev) => {
        const md = ev.object.metadata as { name?: string; resourceVersion?: string }
        if (md.resourceVersion) lastRv = md.resourceVersion
        if (ev.type !== 'ADDED') return
        const name = md.name ?? ''
        if (times[name] !== undefined) return
        times[name] = ctx.now()
        if (!established && name.startsWith(args.warmupPrefix)) {
          established = true
          ctx.report({ ready: true })
        }
      },
      onClose: ({ gone }) => {
        if (established) closed++
        // Resume where it was (no event lost); re-list only when the server says it is too late.
        void ctx.sleep(100).then(() => (gone || !lastRv ? start() : watch(lastRv)))
      },
    })
  }
  const start = async () => {
    for (;;) {
      try {
        const list = await client.list(R.pods, args.namespace, { limit: 1 })
        lastRv = list.metadata?.resourceVersion ?? ''
        watch(lastRv)
        return
      } catch {
        await ctx.sleep(200)
      }
    }
  }
  return {
    start() {
      ctx.report({ ready: false })
      void start()
    },
    receive(msg: Message, meta: MsgMeta) {
      if (client.handle(msg, meta)) return
      if (msg.type !== 'bench.receipts') return
      const r: ReceiptsReply = { type: 'bench.receipts.reply', times, closed }
      ctx.reply(meta, r)
    },
    stop() {
      handle?.stop()
    },
  }
}
