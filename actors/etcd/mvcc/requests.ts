// The answers of recent writes that carried a request id, so that a write retried with the same
// id (after a timeout or a leader change, at any replica) is applied at most once and gets the
// answer of its one application. Part of the replicated state: every replica records the same ids
// in log order, and snapshots carry them. The oldest ids are forgotten first.
import type { KvCommandResult } from './store.ts'

export interface AppliedRequest {
  /** The store's revision right after the write was applied. */
  revision: number
  result: KvCommandResult
}

/** Enough for every retry within the request timeouts at thousands of writes per second. */
export const REQUEST_LOG_CAPACITY = 50_000

export class RequestLog {
  private readonly byId = new Map<string, AppliedRequest>()

  constructor(readonly capacity = REQUEST_LOG_CAPACITY) {}

  get size(): number {
    return this.byId.size
  }

  get(id: string): AppliedRequest | undefined {
    return this.byId.get(id)
  }

  add(id: string, a: AppliedRequest): void {
    this.byId.set(id, a)
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value as string)
  }

  encode(): Array<[string, number, KvCommandResult]> {
    return [...this.byId].map(([id, a]) => [id, a.revision, a.result])
  }

  static decode(rows: Array<[string, number, KvCommandResult]> | undefined, capacity = REQUEST_LOG_CAPACITY): RequestLog {
    const log = new RequestLog(capacity)
    for (const [id, revision, result] of rows ?? []) log.add(id, { revision, result })
    return log
  }
}
