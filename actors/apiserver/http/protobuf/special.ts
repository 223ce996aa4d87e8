// Pure: the JSON forms of the apimachinery types that protobuf carries as small messages
// (metav1.Time, metav1.MicroTime, resource.Quantity, intstr.IntOrString).
import { ProtobufBodyError } from './errors.ts'

const MAX_SECONDS = 253402300799 // 9999-12-31T23:59:59Z, the last instant RFC 3339 can write
const MIN_SECONDS = -62135596800 // 0001-01-01T00:00:00Z

/** metav1.Time is written without fraction, metav1.MicroTime with six digits, both in UTC. */
export function formatTime(seconds: number, nanos: number, micro: boolean, path: string): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new ProtobufBodyError('PROTOBUF_MALFORMED', `time at "${path}" is out of range (${seconds} seconds)`, path)
  if (nanos < 0 || nanos > 999_999_999) throw new ProtobufBodyError('PROTOBUF_MALFORMED', `time at "${path}" has nanos ${nanos} outside 0..999999999`, path)
  const iso = new Date(seconds * 1000).toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  const base = iso.slice(0, 19)
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`
}

/** intstr.IntOrString: type 0 is intVal, type 1 is strVal. */
export function intOrString(type: number, intVal: number, strVal: string, path: string): number | string {
  if (type === 0) return intVal
  if (type === 1) return strVal
  throw new ProtobufBodyError('PROTOBUF_MALFORMED', `IntOrString at "${path}" has type ${type}; expected 0 (int) or 1 (string)`, path)
}
