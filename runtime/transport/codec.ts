// The wire codec between threads: a batch of envelopes packed into one MessagePack buffer.
// Records (msgpackr structures) are on: each object shape's keys are written once per batch,
// which makes both packing and unpacking of many same-shaped envelopes much cheaper. Every batch
// carries its own record definitions, so any batch decodes on its own, in any order. Maps decode
// as plain objects, as they do without records.
import { Packr } from 'msgpackr'
import type { Envelope } from '../cell.ts'

const packr = new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false })

/** msgpackr needs 2 KiB of room at the start of a pack; smaller buffers are replaced at once. */
const MIN_BUFFER = 4096

/**
 * Pack envelopes into a Uint8Array whose ArrayBuffer no other batch is written into, so it may
 * be transferred to another thread. The batch is packed straight into a fresh buffer of about
 * `sizeHint` bytes (no copy; msgpackr grows it if the hint was short), so the ArrayBuffer may be
 * larger than the batch.
 */
export function encodeBatch(envs: readonly Envelope[], sizeHint = MIN_BUFFER): Uint8Array {
  // allocUnsafeSlow: never a slice of Node's shared pool, so the ArrayBuffer is ours to transfer.
  packr.useBuffer(Buffer.allocUnsafeSlow(Math.max(MIN_BUFFER, Math.ceil(sizeHint))))
  // msgpackr goes on packing after this batch in the same buffer: harmless, since the buffer is
  // transferred (detached; msgpackr then allocates anew) or decoded at once by a local delivery.
  return packr.pack(envs)
}

export function decodeBatch(buf: Uint8Array): Envelope[] {
  return packr.unpack(buf) as Envelope[]
}

/** A deep copy through MessagePack, for deliveries inside one thread (no shared objects). */
export function copyEnvelope(env: Envelope): Envelope {
  return packr.unpack(packr.pack(env)) as Envelope
}
