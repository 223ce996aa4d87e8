// Turning store results and errors into KV protocol replies.
import type { KvError, KvErrorCode, KvHeader, KvReply } from '../../protocols/kv.ts'
import { KvStoreError } from './mvcc/errors.ts'
import type { KvCommandResult } from './mvcc/store.ts'

export function kvError(code: KvErrorCode, message: string, extra: Partial<KvError> = {}): KvError {
  return { type: 'kv.error', code, message, ...extra }
}

export function fromStoreError(err: KvStoreError): KvError {
  return kvError(err.code, err.message, err.compactRevision !== undefined ? { compactRevision: err.compactRevision } : {})
}

export function replyFor(result: KvCommandResult, header: KvHeader): KvReply {
  switch (result.op) {
    case 'put': return { type: 'kv.put.reply', header, ...(result.prevKv ? { prevKv: result.prevKv } : {}) }
    case 'delete': return { type: 'kv.delete.reply', header, deleted: result.deleted, ...(result.prevKvs ? { prevKvs: result.prevKvs } : {}) }
    case 'txn': return { type: 'kv.txn.reply', header, succeeded: result.succeeded, responses: result.responses }
    case 'compact': return { type: 'kv.compact.reply', header }
    case 'error': return fromStoreError(result.error)
  }
}
