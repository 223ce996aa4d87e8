// What every controller is given: the API client, the shared informer caches, an event
// recorder and a work-queue factory. Typed structurally on the client library's classes so the
// controllers can be driven by test doubles too.
import type { Ctx } from '../../runtime/actor.ts'
import type { ApiClient } from '../client/types.ts'
import type { KObject } from '../../protocols/k8s.ts'
import type { ControllerManagerArgs } from '../args.ts'

export interface Handler<T> {
  onAdd?(obj: T): void
  onUpdate?(oldObj: T, obj: T): void
  onDelete?(obj: T): void
}

export interface Cache<T extends KObject> {
  addHandler(h: Handler<T>): void
  hasSynced(): boolean
  get(namespace: string | undefined, name: string): T | undefined
  list(): T[]
  byIndex(index: string, value: string): T[]
}

export interface Queue {
  add(key: string): void
  addAfter(key: string, ms: number): void
  addRateLimited(key: string): void
  forget(key: string): void
  run(workers: number, reconcile: (key: string) => Promise<void>): void
  shutDown(): void
  len(): number
}

export interface Recorder {
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void
}

/** Index names every informer is built with (see informers.ts). */
export const BY_NAMESPACE = 'namespace'
export const BY_OWNER = 'owner'
export const BY_NODE = 'node'
export const BY_UID = 'uid'
/** Objects with no controller reference, by namespace (adoption candidates). */
export const ORPHANS_BY_NAMESPACE = 'orphans'

export interface Informers {
  pods: Cache<KObject>
  nodes: Cache<KObject>
  replicasets: Cache<KObject>
  replicationcontrollers: Cache<KObject>
  deployments: Cache<KObject>
  services: Cache<KObject>
  endpoints: Cache<KObject>
  leases: Cache<KObject>
  jobs: Cache<KObject>
  daemonsets: Cache<KObject>
  statefulsets: Cache<KObject>
  namespaces: Cache<KObject>
  persistentvolumes: Cache<KObject>
  persistentvolumeclaims: Cache<KObject>
  controllerrevisions: Cache<KObject>
}

export interface ControllerDeps {
  ctx: Ctx
  client: ApiClient
  informers: Informers
  recorder: Recorder
  /** A recorder whose Events name `component` as their source (deployment-controller, ...). */
  newRecorder?(component: string): Recorder
  newQueue(name: string): Queue
  args: ControllerManagerArgs
}

/**
 * A controller registers its informer handlers once (standbys keep caches warm), and runs its
 * queue only while this instance leads.
 */
export interface Controller {
  readonly name: string
  start(): void
  stop(): void
}
