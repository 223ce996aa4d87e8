// Typed rejections of the KV store; the replica turns them into KvError replies.
import { ActorkubeError } from '../../../runtime/errors.ts'
import type { KvErrorCode } from '../../../protocols/kv.ts'

export class KvStoreError extends ActorkubeError {
  declare readonly code: KvErrorCode
  readonly compactRevision?: number
  constructor(code: KvErrorCode, message: string, compactRevision?: number) {
    super(code, message)
    if (compactRevision !== undefined) this.compactRevision = compactRevision
  }
}

export function compacted(rev: number, compactRevision: number): KvStoreError {
  return new KvStoreError('KV_COMPACTED', `revision ${rev} has been compacted (compacted at ${compactRevision})`, compactRevision)
}

export function futureRev(rev: number, current: number): KvStoreError {
  return new KvStoreError('KV_FUTURE_REV', `revision ${rev} is beyond the current revision ${current}`)
}
