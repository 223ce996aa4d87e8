// The wire codec between threads: a batch of envelopes packed into one MessagePack buffer.
import { Packr } from 'msgpackr'
import type { Envelope } from '../cell.ts'

const packr = new Packr({ useRecords: false, moreTypes: false })

/** Pack envelopes into a standalone Uint8Array whose ArrayBuffer may be transferred. */
export function encodeBatch(envs: readonly Envelope[]): Uint8Array {
  const b = packr.pack(envs)
  // msgpackr returns a view on a shared scratch buffer: copy out so the buffer can be transferred.
  const out = new Uint8Array(b.length)
  out.set(b)
  return out
}

export function decodeBatch(buf: Uint8Array): Envelope[] {
  return packr.unpack(buf) as Envelope[]
}

/** A deep copy through MessagePack, for deliveries inside one thread (no shared objects). */
export function copyEnvelope(env: Envelope): Envelope {
  return packr.unpack(packr.pack(env)) as Envelope
}
