// The client library's public contract (what client-go is). Every component (scheduler,
// controller-manager, kubelet, kube-proxy, add-ons) uses it; none talks to etcd or to each other.
import type { Message, MsgMeta } from '../../runtime/actor.ts'
import type { DeleteOptions, ListOptions, PatchType, ResourceRef, WatchEvent } from '../../protocols/api.ts'
import type { KList, KObject, Status } from '../../protocols/k8s.ts'

/** A failed API call: `status` is the server's Status (code 404, 409, 422, ...). */
export interface ApiErrorLike extends Error {
  code: string // 'API_NOT_FOUND' | 'API_CONFLICT' | 'API_INVALID' | 'API_UNAVAILABLE' | ...
  status: Status
}

export interface WatchHandle {
  stop(): void
}

export interface WatchCallbacks {
  onEvent(ev: WatchEvent): void
  /** The watch ended (server closed it, instance died, 410 Gone). `gone` means re-list. */
  onClose(info: { gone: boolean; status?: Status }): void
}

export interface ApiClient {
  /** Route an incoming message to the client; true if it was a client message (watch events). */
  handle(msg: Message, meta: MsgMeta): boolean
  /** The API server instance currently in use. */
  readonly current: string
  get<T extends KObject>(ref: ResourceRef, namespace: string | undefined, name: string): Promise<T | undefined>
  list<T extends KObject>(ref: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<KList<T>>
  create<T extends KObject>(ref: ResourceRef, namespace: string | undefined, body: KObject, opts?: { subresource?: string; name?: string }): Promise<T>
  update<T extends KObject>(ref: ResourceRef, namespace: string | undefined, body: KObject, opts?: { subresource?: string }): Promise<T>
  patch<T extends KObject>(ref: ResourceRef, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, opts?: { subresource?: string; fieldManager?: string; force?: boolean }): Promise<T>
  /** Resolves false on 404. */
  delete(ref: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<boolean>
  watch(ref: ResourceRef, namespace: string | undefined, opts: ListOptions & { allowWatchBookmarks?: boolean }, cb: WatchCallbacks): WatchHandle
}

export interface ClientOptions {
  /** API server actor addresses; the client picks one and fails over to the others. */
  apiservers: string[]
  /** Per-request timeout before failing over (ms). */
  requestTimeoutMs?: number
  /** A watch that asked for bookmarks and has heard nothing this long is ended (default 15 s). */
  watchSilenceMs?: number
}
