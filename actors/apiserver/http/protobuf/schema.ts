// The shape of the message tables (core-v1.ts, apps-v1.ts, ...) and their compiled index.
//
// A table lists, per message, its fields as [number, JSON name, type, flags]:
// - type: 'str' 'bool' 'i32' 'i64' 'bytes' (base64 in JSON); 'map:<value type>' (string keys,
//   value 'str', 'bytes' or 'Quantity'); a message of the tables; or a special type (special.ts).
// - flags: 'r' repeated; 'o' a Go pointer, so a zero value on the wire is kept; 'k' a JSON field
//   without omitempty, so a zero value is kept too; 'i' inlined: the nested message's fields are
//   written into the parent's JSON object (Volume.volumeSource, Probe.handler, ...).
// Without 'o' or 'k' a zero scalar ('' / 0 / false) is left out, as Go's JSON encoder does.

export type FieldDef = readonly [no: number, name: string, type: string, flags?: string]

export interface MessageTable {
  /** The proto package, for error messages (k8s.io.api.core.v1). */
  package: string
  messages: Readonly<Record<string, readonly FieldDef[]>>
}

export const SPECIAL_TYPES = ['Time', 'MicroTime', 'Quantity', 'IntOrString', 'RawExtension', 'FieldsV1'] as const
export type SpecialType = (typeof SPECIAL_TYPES)[number]

const SCALARS = ['str', 'bool', 'i32', 'i64', 'bytes'] as const
export type ScalarType = (typeof SCALARS)[number]
const MAP_VALUES = ['str', 'bytes', 'Quantity'] as const
export type MapValueType = (typeof MAP_VALUES)[number]

export type FieldKind =
  | { kind: 'scalar'; type: ScalarType }
  | { kind: 'map'; value: MapValueType }
  | { kind: 'special'; type: SpecialType }
  | { kind: 'message'; message: string }

export interface Field {
  no: number
  name: string
  type: FieldKind
  repeated: boolean
  /** A zero value on the wire is kept in the JSON ('o' or 'k'). */
  keepZero: boolean
  inline: boolean
}

export interface Message {
  name: string
  /** Qualified name for errors: k8s.io.api.core.v1.Container. */
  fullName: string
  fields: ReadonlyMap<number, Field>
}

export type Registry = ReadonlyMap<string, Message>

function fieldKind(type: string, known: ReadonlySet<string>, where: string): FieldKind {
  if ((SCALARS as readonly string[]).includes(type)) return { kind: 'scalar', type: type as ScalarType }
  if ((SPECIAL_TYPES as readonly string[]).includes(type)) return { kind: 'special', type: type as SpecialType }
  if (type.startsWith('map:')) {
    const value = type.slice(4)
    if (!(MAP_VALUES as readonly string[]).includes(value)) throw new Error(`${where}: unsupported map value type ${value}`)
    return { kind: 'map', value: value as MapValueType }
  }
  if (!known.has(type)) throw new Error(`${where}: unknown message type ${type}`)
  return { kind: 'message', message: type }
}

/** Index the tables by message name; a bad table (unknown type, duplicate name or number) throws. */
export function compileTables(tables: readonly MessageTable[]): Registry {
  const known = new Set<string>()
  for (const t of tables) {
    for (const name of Object.keys(t.messages)) {
      if (known.has(name)) throw new Error(`message ${name} is defined twice`)
      known.add(name)
    }
  }
  const out = new Map<string, Message>()
  for (const t of tables) {
    for (const [name, defs] of Object.entries(t.messages)) {
      const fields = new Map<number, Field>()
      for (const [no, fieldName, type, flags = ''] of defs) {
        const where = `${name}.${fieldName}`
        if (!Number.isInteger(no) || no < 1) throw new Error(`${where}: bad field number ${no}`)
        if (fields.has(no)) throw new Error(`${where}: field number ${no} is used twice`)
        if (/[^roki]/.test(flags)) throw new Error(`${where}: unknown flags "${flags}"`)
        const kind = fieldKind(type, known, where)
        if (flags.includes('i') && kind.kind !== 'message') throw new Error(`${where}: only messages can be inlined`)
        fields.set(no, { no, name: fieldName, type: kind, repeated: flags.includes('r'), keepZero: flags.includes('o') || flags.includes('k'), inline: flags.includes('i') })
      }
      out.set(name, { name, fullName: `${t.package}.${name}`, fields })
    }
  }
  return out
}
