// Pure: one protobuf message (proto2 wire format, as k8s.io/api's generated code writes it) into
// the JSON object Go's encoder would write for the same value. protobufjs reads the wire; the
// tables (schema.ts) say what each field number means.
import protobuf from 'protobufjs/minimal.js'
import { ProtobufBodyError } from './errors.ts'
import type { Field, MapValueType, Message, Registry, ScalarType, SpecialType } from './schema.ts'
import { formatTime, intOrString } from './special.ts'

type Reader = protobuf.Reader
type Json = Record<string, unknown>

const VARINT = 0
const LEN = 2
const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', 'invalid (6)', 'invalid (7)']

export interface DecodeOptions {
  /** fieldValidation=Strict: an unknown field number is an error instead of being skipped. */
  strict: boolean
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1'
/** The special types as messages, so unknown fields inside them are reported like any other. */
const SPECIAL_MESSAGES: Record<SpecialType, { fullName: string; fields: Record<number, [string, number]> }> = {
  Time: { fullName: `${META}.Time`, fields: { 1: ['seconds', VARINT], 2: ['nanos', VARINT] } },
  MicroTime: { fullName: `${META}.MicroTime`, fields: { 1: ['seconds', VARINT], 2: ['nanos', VARINT] } },
  Quantity: { fullName: 'k8s.io.apimachinery.pkg.api.resource.Quantity', fields: { 1: ['string', LEN] } },
  IntOrString: { fullName: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString', fields: { 1: ['type', VARINT], 2: ['intVal', VARINT], 3: ['strVal', LEN] } },
  RawExtension: { fullName: 'k8s.io.apimachinery.pkg.runtime.RawExtension', fields: { 1: ['raw', LEN] } },
  FieldsV1: { fullName: `${META}.FieldsV1`, fields: { 1: ['Raw', LEN] } },
}

const malformed = (message: string, path: string) => new ProtobufBodyError('PROTOBUF_MALFORMED', message, path)
const at = (path: string) => (path ? ` at "${path}"` : '')
const join = (path: string, name: string) => (path ? `${path}.${name}` : name)

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class MessageDecoder {
  constructor(
    private readonly registry: Registry,
    private readonly opts: DecodeOptions,
  ) {}

  /** Decode `bytes` as the message `name`; `path` prefixes the JSON paths in errors. */
  decode(name: string, bytes: Uint8Array, path = ''): Json {
    const msg = this.registry.get(name)
    if (!msg) throw new ProtobufBodyError('PROTOBUF_UNSUPPORTED', `no protobuf schema for message ${name}`, path)
    const r = protobuf.Reader.create(bytes)
    const out: Json = {}
    this.message(r, r.len, msg, path, out)
    return out
  }

  private message(r: Reader, end: number, msg: Message, path: string, out: Json): void {
    while (r.pos < end) {
      const tag = r.uint32()
      const no = tag >>> 3
      const wire = tag & 7
      if (no === 0) throw malformed(`field number 0 in ${msg.fullName}${at(path)}`, path)
      const f = msg.fields.get(no)
      if (f) this.field(r, f, wire, msg, path, out)
      else this.unknown(r, no, wire, msg.fullName, path)
      if (r.pos > end) throw malformed(`field ${no} of ${msg.fullName}${at(path)} runs past the end of its message`, path)
    }
  }

  private unknown(r: Reader, no: number, wire: number, fullName: string, path: string): void {
    if (this.opts.strict) throw new ProtobufBodyError('PROTOBUF_UNKNOWN_FIELD', `unknown field number ${no} in ${fullName}${at(path)}`, path)
    if (wire === 4 || wire > 5) throw malformed(`field ${no} of ${fullName}${at(path)} has wire type ${WIRE_NAMES[wire]}`, path)
    r.skipType(wire, 0, no)
  }

  private expectWire(wire: number, want: number, f: Field, msg: Message, path: string): void {
    if (wire !== want) {
      throw malformed(`field ${f.no} (${f.name}) of ${msg.fullName}${at(path)} has wire type ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[want]}`, path)
    }
  }

  /** The end of a length-delimited value starting at the reader's position. */
  private lengthEnd(r: Reader, what: string, path: string): number {
    const len = r.uint32()
    const end = r.pos + len
    if (end > r.len) throw malformed(`${what}${at(path)} declares ${len} bytes but only ${r.len - r.pos} remain`, path)
    return end
  }

  private field(r: Reader, f: Field, wire: number, msg: Message, path: string, out: Json): void {
    const fieldPath = join(path, f.name)
    const t = f.type
    switch (t.kind) {
      case 'scalar': {
        const want = t.type === 'str' || t.type === 'bytes' ? LEN : VARINT
        if (!f.repeated) {
          this.expectWire(wire, want, f, msg, path)
          const v = this.scalar(r, t.type, fieldPath)
          if (isZero(v) && !f.keepZero) delete out[f.name]
          else out[f.name] = v
          return
        }
        const list = arrayAt(out, f.name)
        if (wire === LEN && want === VARINT) {
          const end = this.lengthEnd(r, `packed field ${f.name}`, path)
          while (r.pos < end) list.push(this.scalar(r, t.type, fieldPath))
          if (r.pos !== end) throw malformed(`packed field ${f.name} of ${msg.fullName}${at(path)} ends inside a value`, path)
          return
        }
        this.expectWire(wire, want, f, msg, path)
        list.push(this.scalar(r, t.type, fieldPath))
        return
      }
      case 'map': {
        this.expectWire(wire, LEN, f, msg, path)
        const [key, value] = this.mapEntry(r, t.value, `${msg.fullName}.${f.name}`, fieldPath)
        const current = out[f.name]
        const map = isObject(current) ? current : (out[f.name] = {})
        map[key] = value
        return
      }
      case 'special': {
        this.expectWire(wire, LEN, f, msg, path)
        const itemPath = f.repeated ? `${fieldPath}[${arrayAt(out, f.name).length}]` : fieldPath
        const { value, zero } = this.special(r, t.type, itemPath)
        if (f.repeated) arrayAt(out, f.name).push(value ?? null)
        else if (value === undefined || (zero && !f.keepZero)) delete out[f.name]
        else out[f.name] = value
        return
      }
      case 'message': {
        this.expectWire(wire, LEN, f, msg, path)
        const sub = this.registry.get(t.message)!
        const end = this.lengthEnd(r, `field ${f.name} of ${msg.fullName}`, path)
        if (f.inline) {
          this.message(r, end, sub, path, out)
        } else if (f.repeated) {
          const list = arrayAt(out, f.name)
          const item: Json = {}
          this.message(r, end, sub, `${fieldPath}[${list.length}]`, item)
          list.push(item)
        } else {
          const current = out[f.name]
          const obj = isObject(current) ? current : {}
          this.message(r, end, sub, fieldPath, obj)
          out[f.name] = obj
        }
        if (r.pos !== end) throw malformed(`field ${f.name} of ${msg.fullName}${at(path)} ends inside a value`, path)
        return
      }
    }
  }

  private scalar(r: Reader, type: ScalarType, path: string): string | number | boolean {
    switch (type) {
      case 'str':
        return r.string()
      case 'bytes':
        return base64(r.bytes())
      case 'bool':
        return r.bool()
      case 'i32':
        return r.int32()
      case 'i64':
        return int64(r, path)
    }
  }

  private mapEntry(r: Reader, valueType: MapValueType, entryName: string, path: string): [string, unknown] {
    const end = this.lengthEnd(r, `an entry of ${entryName}`, path)
    let key = ''
    let value: unknown = valueType === 'Quantity' ? '0' : ''
    while (r.pos < end) {
      const tag = r.uint32()
      const no = tag >>> 3
      const wire = tag & 7
      if (no === 1 && wire === LEN) key = r.string()
      else if (no === 2 && wire === LEN) {
        if (valueType === 'str') value = r.string()
        else if (valueType === 'bytes') value = base64(r.bytes())
        else value = this.special(r, 'Quantity', key ? `${path}.${key}` : path).value
      } else if (no === 1 || no === 2) {
        throw malformed(`an entry of ${entryName}${at(path)} has field ${no} with wire type ${WIRE_NAMES[wire]}, expected length-delimited`, path)
      } else {
        this.unknown(r, no, wire, `${entryName} map entry`, path)
      }
    }
    if (r.pos !== end) throw malformed(`an entry of ${entryName}${at(path)} ends inside a value`, path)
    return [key, value]
  }

  /** A special type's JSON value; `zero` marks the Go zero value (left out unless the field keeps zeros). */
  private special(r: Reader, type: SpecialType, path: string): { value: unknown; zero: boolean } {
    const def = SPECIAL_MESSAGES[type]
    const end = this.lengthEnd(r, def.fullName, path)
    const num: Record<string, number> = {}
    const bytes: Record<string, Uint8Array> = {}
    while (r.pos < end) {
      const tag = r.uint32()
      const no = tag >>> 3
      const wire = tag & 7
      const known = def.fields[no]
      if (!known) {
        if (no === 0) throw malformed(`field number 0 in ${def.fullName}${at(path)}`, path)
        this.unknown(r, no, wire, def.fullName, path)
        continue
      }
      const [name, want] = known
      if (wire !== want) throw malformed(`field ${no} (${name}) of ${def.fullName}${at(path)} has wire type ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[want]}`, path)
      if (want === VARINT) num[name] = int64(r, path)
      else bytes[name] = r.bytes()
    }
    if (r.pos !== end) throw malformed(`${def.fullName}${at(path)} ends inside a value`, path)
    const text = (name: string): string => {
      const b = bytes[name]
      if (!b) return ''
      try {
        return utf8.decode(b)
      } catch {
        throw malformed(`${def.fullName}${at(path)} holds bytes that are not UTF-8`, path)
      }
    }
    switch (type) {
      case 'Time':
      case 'MicroTime': {
        const seconds = num.seconds ?? 0
        const nanos = num.nanos ?? 0
        if (seconds === 0 && nanos === 0) return { value: undefined, zero: true }
        return { value: formatTime(seconds, nanos, type === 'MicroTime', path), zero: false }
      }
      case 'Quantity':
        return { value: text('string') || '0', zero: false }
      case 'IntOrString': {
        const v = intOrString(num.type ?? 0, num.intVal ?? 0, text('strVal'), path)
        return { value: v, zero: v === 0 && (num.type ?? 0) === 0 }
      }
      case 'RawExtension':
      case 'FieldsV1': {
        const raw = text(type === 'RawExtension' ? 'raw' : 'Raw')
        if (raw === '') return { value: undefined, zero: true }
        try {
          return { value: JSON.parse(raw) as unknown, zero: false }
        } catch {
          throw malformed(`${def.fullName}${at(path)} does not hold JSON`, path)
        }
      }
    }
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function arrayAt(out: Json, name: string): unknown[] {
  const v = out[name]
  if (Array.isArray(v)) return v
  const list: unknown[] = []
  out[name] = list
  return list
}

function int64(r: Reader, path: string): number {
  const v = r.int64() as unknown as number | { toNumber(): number; toString(): string }
  const n = typeof v === 'number' ? v : v.toNumber()
  if (!Number.isSafeInteger(n)) throw malformed(`integer ${typeof v === 'number' ? v : v.toString()}${at(path)} does not fit a JSON number exactly`, path)
  return n
}
