// Pure: a request body in application/vnd.kubernetes.protobuf into the JSON object the rest of the
// API server handles, or a 400/415 Status naming the problem.
import type { Status } from '../../../../protocols/k8s.ts'
import { statusError } from '../status.ts'
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './envelope.ts'
import { ProtobufBodyError } from './errors.ts'

export { PROTOBUF_MEDIA_TYPE }

export type ProtobufDecoded = { ok: true; value: Record<string, unknown> } | { ok: false; status: Status }

/** `fieldValidation` is the request's query parameter: Strict refuses unknown field numbers, anything else skips them. */
export function decodeProtobufBody(body: Uint8Array, fieldValidation: string | undefined): ProtobufDecoded {
  try {
    return { ok: true, value: decodeProtobufObject(body, { strict: fieldValidation === 'Strict' }) }
  } catch (err) {
    if (!(err instanceof ProtobufBodyError)) throw err
    switch (err.code) {
      case 'PROTOBUF_UNKNOWN_FIELD':
        return {
          ok: false,
          status: statusError(400, `strict decoding error: ${err.message}`, {
            reason: 'BadRequest',
            details: { causes: [{ reason: 'FieldValueInvalid', ...(err.path ? { field: err.path } : {}), message: err.message }] },
          }),
        }
      case 'PROTOBUF_UNSUPPORTED':
        return { ok: false, status: statusError(415, err.message) }
      default:
        return { ok: false, status: statusError(400, `the body of the request could not be decoded as ${PROTOBUF_MEDIA_TYPE}: ${err.message}`, { reason: 'BadRequest' }) }
    }
  }
}
