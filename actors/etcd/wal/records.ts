// WAL record framing, pure: [len u32][~len u32][crc32(payload) u32][msgpack payload].
// decodeRecords tells a torn last record (dropped) from corruption inside the file (an error
// naming the file and the offset).
import { crc32 } from 'node:zlib'
import { pack, unpack } from 'msgpackr'
import type { Entry, HardState, SnapshotMeta } from '../../../protocols/raft.ts'
import { ActorkubeError } from '../../../runtime/errors.ts'

export type WalRecord =
  | { t: 'hs'; hs: HardState }
  | { t: 'ent'; entries: Entry[] }
  | { t: 'snap'; meta: SnapshotMeta }

export class WalCorruptError extends ActorkubeError {
  constructor(readonly file: string, readonly offset: number, what: string) {
    super('WAL_CORRUPT', `${file}: corrupt WAL record at offset ${offset}: ${what}`)
  }
}

const HEADER = 12

export function encodeRecord(r: WalRecord): Uint8Array {
  const payload = pack(r)
  const out = new Uint8Array(HEADER + payload.length)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, payload.length, true)
  dv.setUint32(4, ~payload.length >>> 0, true)
  dv.setUint32(8, crc32(payload) >>> 0, true)
  out.set(payload, HEADER)
  return out
}

export function encodeRecords(rs: WalRecord[]): Uint8Array {
  const parts = rs.map(encodeRecord)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

export interface Decoded {
  records: WalRecord[]
  /** Bytes of whole, valid records; anything after is a torn tail. */
  validLength: number
  torn: boolean
}

export function decodeRecords(file: string, bytes: Uint8Array): Decoded {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: WalRecord[] = []
  let off = 0
  while (off < bytes.length) {
    const rest = bytes.length - off
    if (rest < HEADER) return { records, validLength: off, torn: true }
    const len = dv.getUint32(off, true)
    const check = dv.getUint32(off + 4, true)
    if ((~len >>> 0) !== check) {
      if (allZero(bytes, off)) return { records, validLength: off, torn: true }
      throw new WalCorruptError(file, off, 'bad length header')
    }
    const end = off + HEADER + len
    if (end > bytes.length) return { records, validLength: off, torn: true }
    const payload = bytes.subarray(off + HEADER, end)
    if ((crc32(payload) >>> 0) !== dv.getUint32(off + 8, true)) {
      if (end === bytes.length) return { records, validLength: off, torn: true }
      throw new WalCorruptError(file, off, 'checksum mismatch')
    }
    let r: WalRecord
    try {
      r = unpack(payload) as WalRecord
    } catch (err) {
      throw new WalCorruptError(file, off, `undecodable payload (${(err as Error).message})`)
    }
    records.push(r)
    off = end
  }
  return { records, validLength: off, torn: false }
}

function allZero(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false
  return true
}
