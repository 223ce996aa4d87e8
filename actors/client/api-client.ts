// The typed API client: requests over ctx.ask to one API server instance at a time, failing
// over to the next (args.apiservers order = preference) when an instance stops answering;
// watches with flow-control acks and a liveness check on the instance serving them.
import type { Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import { errorCode } from '../../runtime/errors.ts'
import type {
  ApiReply, ApiRequest, ApiWatch, ApiWatchAck, ApiWatchClosed, ApiWatchStop, ApiWatchEvents, DeleteOptions, ListOptions, PatchType, ResourceRef,
} from '../../protocols/api.ts'
import type { KList, KObject, Status } from '../../protocols/k8s.ts'
import { ApiError, ApiUnavailableError, statusOf } from './errors.ts'
import type { ApiClient, ClientOptions, WatchCallbacks, WatchHandle } from './types.ts'

export const DEFAULT_REQUEST_TIMEOUT_MS = 2000
/** A request refused with 429 is asked again after Retry-After for up to this many request timeouts. */
export const THROTTLE_BUDGET = 5
/** A bookmark watch silent this long is presumed lost (its instance restarted) and ended. */
export const DEFAULT_WATCH_SILENCE_MS = 15_000
const ENDED_KEPT = 1024

interface ActiveWatch {
  id: string
  server: string
  cb: WatchCallbacks
  ended: boolean
  /** Asked for bookmarks: the server sends something every few seconds while it holds the watch. */
  bookmarks: boolean
  heard: number
}

const stopMsg = (watchId: string): ApiWatchStop => ({ type: 'api.watch.stop', watchId })
const ackMsg = (watchId: string, count: number): ApiWatchAck => ({ type: 'api.watch.ack', watchId, count })

function isStatus(b: unknown): b is Status {
  return typeof b === 'object' && b !== null && (b as Status).kind === 'Status'
}

class Client implements ApiClient {
  private idx = 0
  private readonly servers: string[]
  private readonly timeoutMs: number
  private readonly silenceMs: number
  private readonly watches = new Map<string, ActiveWatch>()
  private readonly lastHeard = new Map<string, number>()
  private checking = false
  /** Ids of watches this client ended recently (late events for them are stopped, not passed on). */
  private readonly ended = new Set<string>()

  constructor(private readonly ctx: Ctx, opts: ClientOptions) {
    if (opts.apiservers.length === 0) throw new ApiUnavailableError([])
    this.servers = [...opts.apiservers]
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.silenceMs = opts.watchSilenceMs ?? DEFAULT_WATCH_SILENCE_MS
  }

  get current(): string {
    return this.servers[this.idx] as string
  }

  handle(msg: Message, meta: MsgMeta): boolean {
    if (msg.type === 'api.watch.events') {
      const m = msg as ApiWatchEvents
      this.lastHeard.set(meta.from, this.ctx.now())
      const w = this.watches.get(m.watchId)
      if (!w || w.ended) {
        // Not ours (another client in the same actor) unless we ended it.
        if (!this.ended.has(m.watchId)) return false
        this.ctx.send(meta.from, stopMsg(m.watchId))
        return true
      }
      w.heard = this.ctx.now()
      for (const ev of m.events) {
        if (w.ended) break
        w.cb.onEvent(ev)
      }
      this.ctx.send(meta.from, ackMsg(m.watchId, m.events.length))
      return true
    }
    if (msg.type === 'api.watch.closed') {
      const m = msg as ApiWatchClosed
      this.lastHeard.set(meta.from, this.ctx.now())
      const w = this.watches.get(m.watchId)
      if (w) this.end(w, { gone: m.status?.code === 410, status: m.status })
      return w !== undefined || this.ended.has(m.watchId)
    }
    return false
  }

  async get<T extends KObject>(ref: ResourceRef, namespace: string | undefined, name: string): Promise<T | undefined> {
    const r = await this.request({ type: 'api.get', ...ref, namespace, name }, true)
    if (r.code === 404) return undefined
    return this.body<T>(r)
  }

  async list<T extends KObject>(ref: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KList<T>> {
    const r = await this.request({ type: 'api.list', ...ref, namespace, ...opts }, true)
    return this.body<KList<T> & KObject>(r) as unknown as KList<T>
  }

  async create<T extends KObject>(ref: ResourceRef, namespace: string | undefined, body: KObject, opts: { subresource?: string; name?: string } = {}): Promise<T> {
    // A create without a fixed name may not be retried elsewhere: it could be applied twice.
    const retry = opts.subresource !== undefined || body.metadata?.name !== undefined
    const r = await this.request({ type: 'api.create', ...ref, namespace, body, ...opts }, retry)
    return this.body<T>(r)
  }

  async update<T extends KObject>(ref: ResourceRef, namespace: string | undefined, body: KObject, opts: { subresource?: string } = {}): Promise<T> {
    const name = body.metadata?.name ?? ''
    const r = await this.request({ type: 'api.update', ...ref, namespace, name, body, ...opts }, true)
    return this.body<T>(r)
  }

  async patch<T extends KObject>(ref: ResourceRef, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, opts: { subresource?: string; fieldManager?: string; force?: boolean } = {}): Promise<T> {
    const r = await this.request({ type: 'api.patch', ...ref, namespace, name, patchType, patch, ...opts }, true)
    return this.body<T>(r)
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<boolean> {
    const r = await this.request({ type: 'api.delete', ...ref, namespace, name, ...(opts ? { options: opts } : {}) }, true)
    if (r.code === 404) return false
    this.body(r)
    return true
  }

  watch(ref: ResourceRef, namespace: string | undefined, opts: ListOptions & { allowWatchBookmarks?: boolean }, cb: WatchCallbacks): WatchHandle {
    const id = `w-${this.ctx.newId()}`
    const w: ActiveWatch = { id, server: this.current, cb, ended: false, bookmarks: opts.allowWatchBookmarks === true, heard: this.ctx.now() }
    this.watches.set(id, w)
    const req: ApiWatch = { type: 'api.watch', ...ref, namespace, watchId: id, ...opts }
    void this.startWatch(w, req)
    this.ensureLivenessCheck()
    return {
      stop: () => {
        if (w.ended) return
        this.markEnded(w)
        this.ctx.send(w.server, stopMsg(id))
      },
    }
  }

  private async startWatch(w: ActiveWatch, req: ApiWatch): Promise<void> {
    let r: { reply: ApiReply; server: string }
    try {
      r = await this.call(req, true, (server) => {
        w.server = server
      })
    } catch (e) {
      if (!w.ended) this.end(w, { gone: false, status: e instanceof ApiError ? e.status : undefined })
      return
    }
    if (w.ended) {
      if (r.reply.code < 300) this.ctx.send(r.server, stopMsg(w.id))
      return
    }
    if (r.reply.code >= 300) {
      const status = isStatus(r.reply.body) ? r.reply.body : statusOf(r.reply.code, 'Unknown', 'watch refused')
      this.end(w, { gone: r.reply.code === 410, status })
    }
  }

  private end(w: ActiveWatch, info: { gone: boolean; status?: Status }): void {
    if (w.ended) return
    this.markEnded(w)
    w.cb.onClose(info)
  }

  private markEnded(w: ActiveWatch): void {
    w.ended = true
    this.watches.delete(w.id)
    this.ended.add(w.id)
    if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.values().next().value as string)
  }

  /** Every few seconds, ping each instance that serves a watch and has been silent; a silent dead instance ends its watches. */
  private ensureLivenessCheck(): void {
    if (this.checking) return
    this.checking = true
    void (async () => {
      while (this.watches.size > 0) {
        await this.ctx.sleep(this.timeoutMs)
        const servers = new Set([...this.watches.values()].map((w) => w.server))
        await Promise.all([...servers].map((s) => this.probe(s)))
        this.endSilentWatches()
      }
      this.checking = false
    })()
  }

  /**
   * An instance that crashed and came back answers pings but no longer holds the watches it
   * served: a bookmark watch that has heard nothing for silenceMs is ended, and its owner
   * resumes it from its last resourceVersion.
   */
  private endSilentWatches(): void {
    const now = this.ctx.now()
    for (const w of [...this.watches.values()]) {
      if (!w.bookmarks || now - w.heard < this.silenceMs) continue
      this.ctx.log.warn({ event: 'apiserver.client.watch-silent', server: w.server, watchId: w.id, silentMs: now - w.heard }, 'watch silent, ending it')
      this.ctx.send(w.server, stopMsg(w.id))
      this.end(w, { gone: false })
    }
  }

  private async probe(server: string): Promise<void> {
    const heard = this.lastHeard.get(server) ?? 0
    if (this.ctx.now() - heard < this.timeoutMs) return
    let alive: boolean
    try {
      const r = await this.ctx.ask<ApiReply>(server, { type: 'api.ping' }, { timeoutMs: this.timeoutMs })
      // A not-ready instance (restarting, cut off from etcd) is not serving its watches.
      alive = r.code < 300
    } catch (e) {
      if (errorCode(e) !== 'ASK_TIMEOUT') throw e
      alive = false
    }
    if (alive) {
      this.lastHeard.set(server, this.ctx.now())
    } else {
      this.failover(server)
      for (const w of [...this.watches.values()]) {
        if (w.server === server) {
          this.ctx.send(server, stopMsg(w.id))
          this.end(w, { gone: false })
        }
      }
    }
  }

  private async request(msg: ApiRequest, retry: boolean): Promise<ApiReply> {
    return (await this.call(msg, retry)).reply
  }

  /** Ask the current instance; on no answer (or 503 not ready) fail over and, if `retry`, try the next. */
  private async call(msg: ApiRequest, retry: boolean, onServer?: (s: string) => void): Promise<{ reply: ApiReply; server: string }> {
    const tried: string[] = []
    let lastErr: unknown
    const started = this.ctx.now()
    for (let attempt = 0; attempt < this.servers.length; attempt++) {
      const server = this.current
      onServer?.(server)
      tried.push(server)
      try {
        let reply = await this.ctx.ask<ApiReply>(server, msg, { timeoutMs: this.timeoutMs })
        this.lastHeard.set(server, this.ctx.now())
        // 429: the instance is busy, not gone. Wait as it asks (jittered, so the refused do not
        // come back together) and ask it again, for up to THROTTLE_BUDGET timeouts in all.
        while (reply.code === 429) {
          const after = 1000 * ((reply.body as Status | undefined)?.details?.retryAfterSeconds ?? 1)
          const wait = Math.round(after * (0.5 + this.ctx.random()))
          if (this.ctx.now() + wait - started > THROTTLE_BUDGET * this.timeoutMs) break
          await this.ctx.sleep(wait)
          reply = await this.ctx.ask<ApiReply>(server, msg, { timeoutMs: this.timeoutMs })
          this.lastHeard.set(server, this.ctx.now())
        }
        if (reply.code === 503 && attempt + 1 < this.servers.length) {
          this.failover(server)
          continue
        }
        return { reply, server }
      } catch (e) {
        if (errorCode(e) !== 'ASK_TIMEOUT') throw e
        lastErr = e
        this.failover(server)
        if (!retry) break
      }
    }
    throw new ApiUnavailableError(tried, { cause: lastErr })
  }

  private failover(from: string): void {
    if (this.current !== from || this.servers.length < 2) return
    this.idx = (this.idx + 1) % this.servers.length
    const to = this.current
    this.ctx.log.warn({ event: 'apiserver.client.failover', client: this.ctx.self, from, to }, 'api client failed over')
  }

  private body<T>(r: ApiReply): T {
    if (r.code >= 300) {
      const status = isStatus(r.body) ? r.body : statusOf(r.code, 'Unknown', `api error ${r.code}`)
      throw new ApiError(status)
    }
    return r.body as unknown as T
  }
}

export function createApiClient(ctx: Ctx, opts: ClientOptions): ApiClient {
  return new Client(ctx, opts)
}
