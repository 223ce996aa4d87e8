// What a Raft entry carries: a KV write, its id (every replica that holds a client waiting for
// that id answers it when it applies the entry) and the replica that proposed it.
import { pack, unpack } from 'msgpackr'
import type { KvCompact, KvDelete, KvPut, KvRequest, KvTxn } from '../../protocols/kv.ts'
import type { KvCommand } from './mvcc/store.ts'
import { KvStoreError } from './mvcc/errors.ts'

export type KvWriteRequest = KvPut | KvDelete | KvTxn | KvCompact

export const writeTypes: ReadonlySet<string> = new Set(['kv.put', 'kv.delete', 'kv.txn', 'kv.compact'])

export interface EntryCommand {
  /** The write's request id, or an id the proposer made up (unique either way). */
  id: string
  origin: string
  cmd: KvCommand
  /** `id` is a request id: apply at most once per id (MvccStore.requests). */
  dedup?: boolean
}

export const encodeCommand = (c: EntryCommand): Uint8Array => pack(c)

export function decodeCommand(data: Uint8Array): EntryCommand {
  const c = unpack(data) as EntryCommand
  return c
}

/** Validate a write request and turn it into a command (KV_BAD_REQUEST on bad input). */
export function toCommand(req: KvRequest): KvCommand {
  const bad = (why: string) => new KvStoreError('KV_BAD_REQUEST', `${req.type}: ${why}`)
  const rid = (req as { requestId?: unknown }).requestId
  if (rid !== undefined && (typeof rid !== 'string' || rid === '' || rid.length > 256)) throw bad('requestId must be a non-empty string of at most 256 characters')
  const isKey = (k: unknown) => typeof k === 'string'
  const isBytes = (v: unknown) => v instanceof Uint8Array
  switch (req.type) {
    case 'kv.put':
      if (!isKey(req.key) || req.key === '') throw bad('key required')
      if (!isBytes(req.value)) throw bad('value must be bytes')
      return { op: 'put', key: req.key, value: req.value, prevKv: req.prevKv }
    case 'kv.delete':
      if (!isKey(req.key)) throw bad('key required')
      return { op: 'delete', key: req.key, end: req.end, prefix: req.prefix, prevKv: req.prevKv }
    case 'kv.txn':
      if (!Array.isArray(req.compare) || !Array.isArray(req.success) || !Array.isArray(req.failure)) throw bad('compare, success and failure must be arrays')
      for (const o of [...req.success, ...req.failure]) {
        if (!o || !isKey(o.key) || !['put', 'delete', 'range'].includes(o.op)) throw bad('bad op')
        if (o.op === 'put' && !isBytes(o.value)) throw bad('put value must be bytes')
      }
      for (const c of req.compare) if (!c || !isKey(c.key) || !['mod', 'create', 'version', 'value'].includes(c.target)) throw bad('bad compare')
      return { op: 'txn', compare: req.compare, success: req.success, failure: req.failure }
    case 'kv.compact':
      if (typeof req.revision !== 'number' || req.revision <= 0) throw bad('revision must be > 0')
      return { op: 'compact', revision: req.revision }
    default:
      throw bad('not a write')
  }
}
