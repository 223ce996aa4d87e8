// Malformed protobuf bodies never crash the decoder: mutated kubectl captures and random bytes
// decode to an object or to a 400/415 Status. Seeded (SEED=... replays a failure).
import t from 'tap'
import { decodeProtobufBody } from '../../../../actors/apiserver/http/protobuf/index.ts'
import { fixtures } from './protobuf-helpers.ts'

const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000)

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

t.test(`mutated and random bodies decode or fail with a Status (SEED=${SEED})`, async (t) => {
  const rand = mulberry32(SEED)
  const int = (n: number) => Math.floor(rand() * n)
  const bodies = fixtures().map((f) => f.body)
  const mutate = (src: Uint8Array): Uint8Array => {
    const b = Buffer.from(src)
    switch (int(6)) {
      case 0: // flip a few bytes after the magic
        for (let i = 0, n = 1 + int(4); i < n; i++) b[4 + int(Math.max(1, b.length - 4))] = int(256)
        return b
      case 1: // truncate
        return b.subarray(0, int(b.length))
      case 2: { // insert random bytes
        const at = 4 + int(Math.max(1, b.length - 4))
        return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), b.subarray(at)])
      }
      case 3: { // duplicate a slice
        const from = int(b.length)
        const to = from + int(b.length - from)
        return Buffer.concat([b.subarray(0, to), b.subarray(from, to), b.subarray(to)])
      }
      case 4: // a varint with every continuation bit set
        return Buffer.concat([b.subarray(0, 4 + int(Math.max(1, b.length - 4))), Buffer.alloc(12, 0xff)])
      default: // random bytes behind the magic
        return Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(Array.from({ length: int(64) }, () => int(256)))])
    }
  }
  const seen = { ok: 0, 400: 0, 415: 0 }
  const ITERATIONS = 4000
  for (let i = 0; i < ITERATIONS; i++) {
    const body = mutate(bodies[int(bodies.length)]!)
    const fv = rand() < 0.5 ? 'Strict' : undefined
    let d: ReturnType<typeof decodeProtobufBody>
    try {
      d = decodeProtobufBody(body, fv)
    } catch (err) {
      t.fail(`iteration ${i} threw ${err instanceof Error ? err.stack : String(err)}; body ${Buffer.from(body).toString('hex')} (SEED=${SEED})`)
      return
    }
    if (d.ok) {
      seen.ok++
      if (typeof d.value !== 'object' || d.value === null || typeof d.value.kind !== 'string') {
        t.fail(`iteration ${i}: decoded to ${JSON.stringify(d.value)} (SEED=${SEED})`)
        return
      }
      continue
    }
    if (d.status.code !== 400 && d.status.code !== 415) {
      t.fail(`iteration ${i}: status ${d.status.code} ${d.status.message} (SEED=${SEED})`)
      return
    }
    if (!d.status.message || d.status.kind !== 'Status') {
      t.fail(`iteration ${i}: a Status without a message (SEED=${SEED})`)
      return
    }
    seen[d.status.code]++
  }
  t.equal(seen.ok + seen[400] + seen[415], ITERATIONS, `outcomes: ${JSON.stringify(seen)}`)
  t.ok(seen[400] > ITERATIONS / 10, 'most mutations are refused as malformed')
})
