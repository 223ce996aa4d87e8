// JSON patch (RFC 6902) through fast-json-patch; a failed op or test is a typed refusal.
import fjp from 'fast-json-patch'
import { ApiError, badRequest } from '../errors.ts'
import type { Status } from '../../../protocols/k8s.ts'

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])

export function jsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json patch must be an array of operations')
  patch.forEach((op, i) => {
    if (op === null || typeof op !== 'object' || !OPS.has((op as { op?: string }).op ?? '') || typeof (op as { path?: unknown }).path !== 'string') {
      throw badRequest(`json patch operation ${i} is invalid: needs "op" (add, remove, replace, move, copy, test) and "path"`)
    }
  })
  try {
    return fjp.applyPatch(structuredClone(doc), patch as fjp.Operation[], true, true).newDocument
  } catch (err) {
    const name = (err as { name?: string }).name ?? ''
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err)
    if (name === 'TEST_OPERATION_FAILED' || /test operation failed/i.test(msg)) {
      const st: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', reason: 'Invalid', message: `the server rejected our request due to an error in our request: ${msg}`, code: 422 }
      throw new ApiError(st)
    }
    throw new ApiError({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', reason: 'Invalid', message: `the server rejected our request due to an error in our request: ${msg}`, code: 422 })
  }
}
