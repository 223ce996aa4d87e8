// The apiserver actor: serves protocols/api.ts requests from components over the ApiServer
// core, streams watches with credit-based flow control, feeds the core the store's watch
// messages, and reports readiness once it reaches its shards.
import type { ActorFactory, Message, MsgMeta } from '../../runtime/actor.ts'
import type { ApiServerArgs } from '../args.ts'
import type { ApiReply, ApiRequest, ApiWatch, ApiWatchClosed, ApiWatchEvents, WatchEvent } from '../../protocols/api.ts'
import type { Status } from '../../protocols/k8s.ts'
import type { KvWatchCanceled, KvWatchEvents } from '../../protocols/kv.ts'
import { ApiServer, type ApiServerOptions } from './server.ts'
import { parseAddress } from '../../runtime/address.ts'
import type { ApiCall } from './types.ts'
import { successStatus, toStatus, tooManyRequests, unavailable } from './errors.ts'
import { startHttpGateway, type Gateway } from './http/gateway.ts'

/** Unacknowledged events a watcher may hold before it is cut off (it re-watches). */
export const WATCH_MAX_UNACKED = 1000
const TICK_MS = 500
/** Requests refused with 429 are logged as one summary this often. */
const SHED_LOG_MS = 5000

interface ActiveWatch {
  to: string
  watchId: string
  unacked: number
  started: boolean
  held: WatchEvent[][]
  stop: () => void
  closed: boolean
}

export interface ApiServerActorOptions extends ApiServerOptions {
  maxUnacked?: number
}

const MANAGERS: Record<string, string> = { scheduler: 'kube-scheduler', 'controller-manager': 'kube-controller-manager', kubelet: 'kubelet', 'kube-proxy': 'kube-proxy' }

/** In-cluster writes name their component as field manager, as client-go's user agent does. */
function withManager(req: ApiCall, from: string): ApiCall {
  if ((req.type !== 'api.update' && req.type !== 'api.patch') || req.fieldManager) return req
  const role = parseAddress(from).role
  return { ...req, fieldManager: MANAGERS[role] ?? (role === 'other' || role === 'client' ? from : role) }
}

export function createApiServer(opts: ApiServerActorOptions = {}): ActorFactory<ApiServerArgs> {
  return (ctx, args) => {
    const server = new ApiServer(ctx, args, opts)
    const maxUnacked = opts.maxUnacked ?? WATCH_MAX_UNACKED
    const watches = new Map<string, ActiveWatch>()
    let sinceBookmark = 0
    let sinceShedLog = 0
    let shedRejected = 0
    let gateway: Gateway | undefined

    const end = (w: ActiveWatch, status?: Status) => {
      if (w.closed) return
      w.closed = true
      w.stop()
      watches.delete(`${w.to}/${w.watchId}`)
      const msg: ApiWatchClosed = status ? { type: 'api.watch.closed', watchId: w.watchId, status } : { type: 'api.watch.closed', watchId: w.watchId }
      ctx.send(w.to, msg)
    }

    const push = (w: ActiveWatch, events: WatchEvent[]) => {
      if (w.closed) return
      if (!w.started) {
        w.held.push(events)
        return
      }
      w.unacked += events.length
      const msg: ApiWatchEvents = { type: 'api.watch.events', watchId: w.watchId, events }
      ctx.send(w.to, msg)
      if (w.unacked > maxUnacked) {
        ctx.log.warn({ watcher: w.to, watchId: w.watchId, unacked: w.unacked }, 'apiserver watcher too slow, closing')
        end(w, tooManyRequests(`watcher ${w.watchId} fell behind by ${w.unacked} events; re-watch from the last resourceVersion`).status)
      }
    }

    const startWatch = async (req: ApiWatch, meta: MsgMeta) => {
      const key = `${meta.from}/${req.watchId}`
      const old = watches.get(key)
      if (old) end(old)
      const w: ActiveWatch = { to: meta.from, watchId: req.watchId, unacked: 0, started: false, held: [], stop: () => {}, closed: false }
      watches.set(key, w)
      const { reply, stop } = await server.watch(req, {
        send: (events) => push(w, events),
        close: (status) => end(w, status),
      })
      w.stop = stop
      ctx.reply(meta, reply)
      if (reply.code !== 200) {
        w.closed = true
        watches.delete(key)
        return
      }
      w.started = true
      for (const batch of w.held.splice(0)) push(w, batch)
      if (w.closed) stop()
    }

    return {
      async start() {
        ctx.report({ ready: false })
        ctx.after(TICK_MS, { type: 'apiserver.tick' })
        void server.start().then(() => {
          if (server.ready()) ctx.report({ ready: true, info: { shards: server.kv.shards(), ...(gateway ? { port: gateway.port } : {}) } })
        })
        // The REST API for kubectl, when the host offers HTTP (not in the simulator).
        if (args.http && ctx.io.http) {
          gateway = await startHttpGateway(ctx, server, { host: args.http.host, port: args.http.port, tokens: args.tokens })
          ctx.log.info({ host: args.http.host, port: gateway.port }, 'apiserver http listening')
        }
      },

      async receive(msg: Message, meta: MsgMeta) {
        switch (msg.type) {
          case 'apiserver.tick': {
            sinceBookmark += TICK_MS
            const bookmarks = sinceBookmark >= server.bookmarkIntervalMs
            if (bookmarks) sinceBookmark = 0
            server.tick(bookmarks)
            sinceShedLog += TICK_MS
            if (sinceShedLog >= SHED_LOG_MS) {
              sinceShedLog = 0
              const { rejected, readonly, mutating, heartbeat } = server.load
              if (rejected > shedRejected) {
                ctx.log.warn({ event: 'apiserver.shed', rejected: rejected - shedRejected, inflight: { readonly, mutating, heartbeat } }, 'apiserver refused requests over its in-flight limits')
                shedRejected = rejected
              }
            }
            ctx.after(TICK_MS, { type: 'apiserver.tick' })
            return
          }
          case 'kv.watch.events':
          case 'kv.watch.canceled':
            server.onStoreWatch(msg as KvWatchEvents | KvWatchCanceled)
            return
        }
        const req = msg as ApiRequest
        switch (req.type) {
          case 'api.ping': {
            const r: ApiReply = server.ready()
              ? { type: 'api.reply', code: 200, body: successStatus() }
              : { type: 'api.reply', code: 503, body: unavailable('apiserver is not ready').status }
            ctx.reply(meta, r)
            return
          }
          case 'api.watch':
            await startWatch(req, meta)
            return
          case 'api.watch.stop': {
            const w = watches.get(`${meta.from}/${req.watchId}`)
            if (w) {
              w.closed = true
              w.stop()
              watches.delete(`${meta.from}/${req.watchId}`)
            }
            return
          }
          case 'api.watch.ack': {
            const w = watches.get(`${meta.from}/${req.watchId}`)
            if (w) w.unacked = Math.max(0, w.unacked - req.count)
            return
          }
          case 'api.get': case 'api.list': case 'api.create': case 'api.update': case 'api.patch':
          case 'api.delete': case 'api.deletecollection': {
            let reply: ApiReply
            try {
              reply = await server.handle(withManager(req, meta.from))
            } catch (err) {
              const st = toStatus(err)
              reply = { type: 'api.reply', code: st.code, body: st }
            }
            ctx.reply(meta, reply)
            return
          }
          default:
            ctx.log.warn({ type: msg.type, from: meta.from }, 'apiserver unknown message')
        }
      },

      async stop() {
        for (const w of [...watches.values()]) end(w, unavailable('apiserver is shutting down').status)
        server.stop()
        ctx.report({ ready: false })
        await gateway?.close()
      },
    }
  }
}

export const create: ActorFactory<ApiServerArgs> = createApiServer()
