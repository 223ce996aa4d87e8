// Pure: a Kubernetes protobuf body (application/vnd.kubernetes.protobuf) into its JSON object.
// The body is the 4 magic bytes "k8s\0" then a runtime.Unknown message:
//   1 typeMeta { 1 apiVersion, 2 kind }, 2 raw (the object's own message), 3 contentEncoding, 4 contentType.
import protobuf from 'protobufjs/minimal.js'
import { MessageDecoder, type DecodeOptions } from './decode.ts'
import { ProtobufBodyError } from './errors.ts'
import { decodableKinds, REGISTRY, rootMessage } from './kinds.ts'

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf'
export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00)

const RUNTIME = 'k8s.io.apimachinery.pkg.runtime'

export interface Envelope {
  apiVersion: string
  kind: string
  raw: Uint8Array
  contentEncoding: string
  contentType: string
}

function malformed(message: string): ProtobufBodyError {
  return new ProtobufBodyError('PROTOBUF_MALFORMED', message)
}

/** Split a body into its TypeMeta and raw object bytes. */
export function readEnvelope(body: Uint8Array, opts: DecodeOptions): Envelope {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw malformed('the body does not start with the "k8s\\0" prefix of a Kubernetes protobuf message')
  }
  const r = protobuf.Reader.create(body.subarray(MAGIC.length))
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' }
  const text = (name: string): string => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(r.bytes())
    } catch (err) {
      if (err instanceof RangeError) throw err
      throw malformed(`${RUNTIME}.Unknown.${name} is not UTF-8`)
    }
  }
  while (r.pos < r.len) {
    const tag = r.uint32()
    const no = tag >>> 3
    const wire = tag & 7
    if (no >= 1 && no <= 4 && wire !== 2) throw malformed(`${RUNTIME}.Unknown field ${no} has wire type ${wire}, expected length-delimited`)
    if (no === 1) {
      const end = r.uint32() + r.pos
      if (end > r.len) throw malformed(`${RUNTIME}.TypeMeta runs past the end of the body`)
      while (r.pos < end) {
        const t = r.uint32()
        const n = t >>> 3
        if ((n === 1 || n === 2) && (t & 7) === 2) {
          const v = text(n === 1 ? 'apiVersion' : 'kind')
          if (n === 1) env.apiVersion = v
          else env.kind = v
        } else if (n === 1 || n === 2) {
          throw malformed(`${RUNTIME}.TypeMeta field ${n} has wire type ${t & 7}, expected length-delimited`)
        } else {
          skipUnknown(r, n, t & 7, `${RUNTIME}.TypeMeta`, opts)
        }
      }
      if (r.pos !== end) throw malformed(`${RUNTIME}.TypeMeta ends inside a value`)
    } else if (no === 2) env.raw = r.bytes()
    else if (no === 3) env.contentEncoding = text('contentEncoding')
    else if (no === 4) env.contentType = text('contentType')
    else skipUnknown(r, no, wire, `${RUNTIME}.Unknown`, opts)
  }
  return env
}

function skipUnknown(r: protobuf.Reader, no: number, wire: number, fullName: string, opts: DecodeOptions): void {
  if (no === 0) throw malformed(`field number 0 in ${fullName}`)
  if (opts.strict) throw new ProtobufBodyError('PROTOBUF_UNKNOWN_FIELD', `unknown field number ${no} in ${fullName}`)
  if (wire === 4 || wire > 5) throw malformed(`field ${no} of ${fullName} has wire type ${wire}`)
  r.skipType(wire, 0, no)
}

/**
 * The JSON object of a protobuf body, with apiVersion and kind from its TypeMeta. Throws
 * ProtobufBodyError (never anything else) when the body cannot be decoded.
 */
export function decodeProtobufObject(body: Uint8Array, opts: DecodeOptions): Record<string, unknown> {
  try {
    const env = readEnvelope(body, opts)
    if (env.contentEncoding !== '') {
      throw new ProtobufBodyError('PROTOBUF_UNSUPPORTED', `content encoding "${env.contentEncoding}" of the protobuf body is not supported`)
    }
    if (env.contentType !== '' && env.contentType !== PROTOBUF_MEDIA_TYPE) {
      throw new ProtobufBodyError('PROTOBUF_UNSUPPORTED', `the protobuf envelope holds "${env.contentType}"; only ${PROTOBUF_MEDIA_TYPE} is decoded`)
    }
    if (env.kind === '') throw malformed(`the protobuf envelope names no kind (${RUNTIME}.TypeMeta.kind is empty)`)
    const message = rootMessage(env.apiVersion, env.kind)
    if (!message) {
      throw new ProtobufBodyError('PROTOBUF_UNSUPPORTED', `${env.apiVersion || '(no apiVersion)'} ${env.kind} is not decoded from protobuf by this server (decoded: ${decodableKinds()}); send it as application/json`)
    }
    const obj = new MessageDecoder(REGISTRY, opts).decode(message, env.raw)
    return { apiVersion: env.apiVersion, kind: env.kind, ...obj }
  } catch (err) {
    if (err instanceof ProtobufBodyError) throw err
    // protobufjs reports truncation and bad wire types as RangeError / Error.
    throw malformed(err instanceof Error ? err.message : String(err))
  }
}
