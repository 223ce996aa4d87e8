// Why a protobuf body could not be decoded. Codes:
// PROTOBUF_MALFORMED (not the wire format, truncated, wrong wire type, bad special value),
// PROTOBUF_UNKNOWN_FIELD (a field number the message does not define, under fieldValidation=Strict),
// PROTOBUF_UNSUPPORTED (a kind or content encoding this server does not decode from protobuf).
import { ActorkubeError } from '../../../../runtime/errors.ts'

export type ProtobufErrorCode = 'PROTOBUF_MALFORMED' | 'PROTOBUF_UNKNOWN_FIELD' | 'PROTOBUF_UNSUPPORTED'

export class ProtobufBodyError extends ActorkubeError {
  /** JSON path of the object being decoded when the problem was found ('' for the top level). */
  readonly path: string
  constructor(code: ProtobufErrorCode, message: string, path = '') {
    super(code, message)
    this.path = path
  }
}
