// A watch as a chunked NDJSON stream: one {"type","object"} per line, headers flushed at once,
// objects as one-row Tables when the request asked for a Table. Ends on client close, server
// close (ERROR event with the Status first), timeoutSeconds, or a client too slow to read.
import type { Ctx } from '../../../runtime/actor.ts'
import type { ApiWatch, WatchEvent } from '../../../protocols/api.ts'
import type { KObject } from '../../../protocols/k8s.ts'
import type { ApiServerCore } from '../types.ts'
import type { Res } from './respond.ts'
import { sendStatus } from './respond.ts'
import { isStatus, statusError } from './status.ts'
import { type IncludeObject, toTable } from './table.ts'

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

export interface WatchStreamOptions {
  table?: { plural: string; include: IncludeObject }
}

export async function streamWatch(ctx: Ctx, core: ApiServerCore, w: ApiWatch, res: Res, opts: WatchStreamOptions, registry: Set<() => void>): Promise<void> {
  let open = false
  let ended = false
  let headerSent = false
  const pending: WatchEvent[] = []
  const handle: { stop?: () => void } = {}

  const finish = () => {
    if (ended) return
    ended = true
    registry.delete(finish)
    handle.stop?.()
    if (open && !res.writableEnded) res.end()
  }

  const encode = (ev: WatchEvent): string | undefined => {
    if (!opts.table || ev.type === 'ERROR' || isStatus(ev.object)) return JSON.stringify(ev)
    if (ev.type === 'BOOKMARK') return undefined
    const obj = ev.object as KObject
    const table = toTable(opts.table.plural, [obj], obj.metadata?.resourceVersion, ctx.now(), opts.table.include, headerSent)
    headerSent = true
    return JSON.stringify({ type: ev.type, object: table })
  }

  const write = (events: WatchEvent[]) => {
    if (ended) return
    if (!open) {
      pending.push(...events)
      return
    }
    let chunk = ''
    for (const ev of events) {
      const line = encode(ev)
      if (line !== undefined) chunk += line + '\n'
    }
    if (chunk === '') return
    res.write(chunk)
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      ctx.log.warn({ watchId: w.watchId, buffered: res.writableLength }, 'http watch client too slow')
      finish()
    }
  }

  res.on('close', finish)
  registry.add(finish)
  let started: Awaited<ReturnType<ApiServerCore['watch']>>
  try {
    started = await core.watch(w, {
      send: (events) => write(events),
      close: (status) => {
        if (status && open && !ended) {
          res.write(JSON.stringify({ type: 'ERROR', object: status }) + '\n')
        }
        finish()
      },
    })
  } catch (err) {
    registry.delete(finish)
    ctx.log.error({ err: String(err) }, 'http watch start failed')
    sendStatus(res, statusError(500, 'the watch could not be started'))
    return
  }
  handle.stop = started.stop
  if (started.reply.code !== 200) {
    registry.delete(finish)
    ended = true
    started.stop()
    if (isStatus(started.reply.body) && started.reply.code === 410 && !res.headersSent) {
      // Like kube-apiserver: a watch from a compacted revision answers 200 with one ERROR event.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
      res.end(JSON.stringify({ type: 'ERROR', object: started.reply.body }) + '\n')
      return
    }
    const body = isStatus(started.reply.body) ? started.reply.body : statusError(started.reply.code, 'watch refused')
    sendStatus(res, body)
    return
  }
  if (ended) {
    started.stop() // the client went away while the watch was starting
    return
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' })
  res.flushHeaders()
  open = true
  if (pending.length) write(pending.splice(0))
  if (w.timeoutSeconds && w.timeoutSeconds > 0) {
    void ctx.sleep(w.timeoutSeconds * 1000).then(finish)
  }
}
