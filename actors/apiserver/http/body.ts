// Pure: request bodies (JSON, YAML, patch documents) into values, or a 4xx Status naming the problem.
import { parse as parseYaml } from 'yaml'
import type { PatchType } from '../../../protocols/api.ts'
import type { Status } from '../../../protocols/k8s.ts'
import { statusError } from './status.ts'
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from './protobuf/index.ts'

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024

export type Decoded = { ok: true; value: unknown } | { ok: false; status: Status }

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

/** The patch type named by a PATCH request's Content-Type, or a 415 Status. */
export function patchTypeOf(contentType: string | undefined): PatchType | Status {
  const t = PATCH_TYPES[mediaType(contentType)]
  if (t) return t
  return statusError(415, `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`)
}

function describeJsonError(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Decode a body by its media type. Empty media type is JSON (kubectl scale --current-replicas sends none).
 * Protobuf (kubectl's create generators) is decoded into the same JSON shape; `fieldValidation` says
 * whether an unknown field number is an error (Strict) or skipped.
 */
export function decodeBody(contentType: string | undefined, buf: Uint8Array, opts: { fieldValidation?: string } = {}): Decoded {
  const mt = mediaType(contentType)
  if (mt === PROTOBUF_MEDIA_TYPE) return decodeProtobufBody(buf, opts.fieldValidation)
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buf)
  if (text.trim() === '') return { ok: false, status: statusError(400, 'the body of the request was empty', { reason: 'BadRequest' }) }
  const isYaml = mt === 'application/yaml' || mt === 'application/apply-patch+yaml' || mt === 'text/yaml' || mt === 'application/x-yaml'
  const isJson = mt === '' || mt === 'application/json' || mt.endsWith('+json') || mt === '*/*'
  if (!isYaml && !isJson) {
    return { ok: false, status: statusError(415, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF_MEDIA_TYPE}`) }
  }
  if (isJson) {
    try {
      return { ok: true, value: JSON.parse(text) }
    } catch (err) {
      return { ok: false, status: statusError(400, `the object provided is unrecognized: couldn't get version/kind; json parse error: ${describeJsonError(err)}`, { reason: 'BadRequest' }) }
    }
  }
  try {
    const value = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 })
    return { ok: true, value }
  } catch (err) {
    return { ok: false, status: statusError(400, `error decoding YAML: ${describeJsonError(err)}`, { reason: 'BadRequest' }) }
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
