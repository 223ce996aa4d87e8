// Build Kubernetes protobuf bodies by hand for the decoder tests: a tiny field writer over
// protobufjs's Writer, and the "k8s\0" + runtime.Unknown envelope.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs/minimal.js'

export type PbField =
  | { no: number; str: string }
  | { no: number; bytes: Uint8Array }
  | { no: number; varint: number }
  | { no: number; msg: PbField[] }
  | { no: number; packed: number[] }

function write(w: protobuf.Writer, fields: PbField[]): void {
  for (const f of fields) {
    if ('str' in f) w.uint32((f.no << 3) | 2).string(f.str)
    else if ('bytes' in f) w.uint32((f.no << 3) | 2).bytes(f.bytes)
    else if ('varint' in f) w.uint32((f.no << 3) | 0).int64(f.varint)
    else if ('packed' in f) {
      w.uint32((f.no << 3) | 2).fork()
      for (const v of f.packed) w.int64(v)
      w.ldelim()
    } else {
      w.uint32((f.no << 3) | 2).fork()
      write(w, f.msg)
      w.ldelim()
    }
  }
}

export function encode(fields: PbField[]): Uint8Array {
  const w = protobuf.Writer.create()
  write(w, fields)
  return w.finish()
}

/** A whole request body: magic, then Unknown{typeMeta, raw, contentEncoding, contentType}. */
export function envelope(apiVersion: string, kind: string, raw: PbField[] | Uint8Array, extra: PbField[] = []): Uint8Array {
  const rawBytes = raw instanceof Uint8Array ? raw : encode(raw)
  const unknown = encode([{ no: 1, msg: [{ no: 1, str: apiVersion }, { no: 2, str: kind }] }, { no: 2, bytes: rawBytes }, { no: 3, str: '' }, { no: 4, str: '' }, ...extra])
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown])
}

export const str = (no: number, v: string): PbField => ({ no, str: v })
export const num = (no: number, v: number): PbField => ({ no, varint: v })
export const msg = (no: number, ...fields: PbField[]): PbField => ({ no, msg: fields })

export interface Fixture {
  name: string
  command: string
  request: string
  body: Buffer
  expected?: Record<string, unknown>
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'protobuf')

/** Bodies captured from stock kubectl v1.32 on the wire, with the JSON Go encodes for the same object. */
export function fixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as { command: string; request: string; body: string; expected?: Record<string, unknown> }
      return { name: f.replace(/\.json$/, ''), command: raw.command, request: raw.request, body: Buffer.from(raw.body, 'base64'), expected: raw.expected }
    })
}
