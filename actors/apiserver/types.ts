// What one API server instance offers in-process: the actor shell uses it for MessagePack
// requests from components, and the HTTP gateway (actors/apiserver/http/) for REST clients.
import type { ApiReply, ApiRequest, ApiWatch, WatchEvent } from '../../protocols/api.ts'
import type { Status } from '../../protocols/k8s.ts'

export type ApiCall = Exclude<ApiRequest, ApiWatch | { type: 'api.watch.stop' } | { type: 'api.watch.ack' } | { type: 'api.ping' }>

export interface WatchSink {
  /** Deliver a batch of events, in resourceVersion order. */
  send(events: WatchEvent[]): void
  /** The server ends the watch (410 Gone -> status.code 410; too slow; shutdown). */
  close(status?: Status): void
}

export interface ApiServerCore {
  /** True once this instance reaches its etcd shards. */
  ready(): boolean
  handle(req: ApiCall): Promise<ApiReply>
  /** Start a watch; the reply says whether it started (200) or why not (Status). Returns a stop function via `stop`. */
  watch(req: ApiWatch, sink: WatchSink): Promise<{ reply: ApiReply; stop: () => void }>
}
