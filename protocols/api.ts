// The API protocol between components (and the HTTP gateway) and API server actors.
// The same request shape serves the in-cluster MessagePack protocol and the HTTP gateway, which
// turns REST calls into ApiRequest and ApiReply back into HTTP.
import type { KObject, Status } from './k8s.ts'

/** Which resource: group '' is core. `resource` is the plural lower-case name ('pods'). */
export interface ResourceRef {
  group: string
  version: string
  resource: string
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply'

export interface ListOptions {
  labelSelector?: string
  fieldSelector?: string
  /** '' or absent: most recent; '0': any (cache); N: at least N. */
  resourceVersion?: string
  limit?: number
  continue?: string
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground'
  gracePeriodSeconds?: number
  preconditions?: { uid?: string; resourceVersion?: string }
  dryRun?: string[]
}

interface Base extends ResourceRef {
  namespace?: string
}

export interface ApiGet extends Base {
  type: 'api.get'
  name: string
  subresource?: string
}

export interface ApiList extends Base, ListOptions {
  type: 'api.list'
}

export interface ApiCreate extends Base {
  type: 'api.create'
  body: KObject
  /** For subresource creates: pods/NAME/binding, pods/NAME/eviction. */
  name?: string
  subresource?: string
  fieldManager?: string
  /** 'Strict' refuses unknown fields with a Status naming them. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore'
  dryRun?: boolean
}

export interface ApiUpdate extends Base {
  type: 'api.update'
  name: string
  subresource?: string
  body: KObject
  fieldManager?: string
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore'
}

export interface ApiPatch extends Base {
  type: 'api.patch'
  name: string
  subresource?: string
  patchType: PatchType
  /** The decoded patch document (JSON patch: an array of operations). */
  patch: unknown
  fieldManager?: string
  force?: boolean
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore'
}

export interface ApiDelete extends Base {
  type: 'api.delete'
  name: string
  options?: DeleteOptions
}

export interface ApiDeleteCollection extends Base, ListOptions {
  type: 'api.deletecollection'
  options?: DeleteOptions
}

/**
 * Start a watch: the server answers with ApiReply (status 200, body {}) or an error Status,
 * then streams ApiWatchEvents tells to the watcher. Flow control: the watcher sends
 * ApiWatchAck after handling each batch; a server holding more than its per-watcher limit of
 * unacknowledged events ends the watch with ApiWatchClosed (the client re-watches).
 */
export interface ApiWatch extends Base, ListOptions {
  type: 'api.watch'
  watchId: string
  allowWatchBookmarks?: boolean
  /** Send ADDED for every existing object first (no resourceVersion / '0' semantics). */
  sendInitialEvents?: boolean
  timeoutSeconds?: number
}

export interface ApiWatchStop {
  type: 'api.watch.stop'
  watchId: string
}

export interface ApiWatchAck {
  type: 'api.watch.ack'
  watchId: string
  count: number
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface WatchEvent {
  type: WatchEventType
  object: KObject | Status
}

export interface ApiWatchEvents {
  type: 'api.watch.events'
  watchId: string
  events: WatchEvent[]
}

/** The watch ended. With status 410 the watcher must re-list; otherwise re-watch from its RV. */
export interface ApiWatchClosed {
  type: 'api.watch.closed'
  watchId: string
  status?: Status
}

/** Every request's answer: an HTTP-like code and a body (object, list, or Status). */
export interface ApiReply {
  type: 'api.reply'
  code: number
  body: KObject | Status
  /** Warnings for the client (unknown fields under fieldValidation=Warn), sent as Warning headers. */
  warnings?: string[]
}

/** Readiness probe between components and API servers. */
export interface ApiPing {
  type: 'api.ping'
}

export type ApiRequest =
  | ApiGet | ApiList | ApiCreate | ApiUpdate | ApiPatch | ApiDelete | ApiDeleteCollection
  | ApiWatch | ApiWatchStop | ApiWatchAck | ApiPing
export type ApiToClient = ApiReply | ApiWatchEvents | ApiWatchClosed
