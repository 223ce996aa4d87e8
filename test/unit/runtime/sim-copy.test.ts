import t from 'tap'
import { pack, unpack } from 'msgpackr'
import { copyMessage } from '../../../runtime/sim/copy.ts'
import { seededRandom } from '../../../runtime/random.ts'

/** Strict sameness: types, prototypes, key order, -0 vs 0, array holes vs undefined. */
function diff(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`
  if (typeof a === 'number') return Object.is(a, b) ? undefined : `${path}: ${a} vs ${b as number}`
  if (typeof a !== 'object' || a === null || b === null) return a === b ? undefined : `${path}: ${String(a)} vs ${String(b)}`
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototypes differ`
  const kx = Object.keys(x)
  const ky = Object.keys(y)
  if (kx.join('\u0001') !== ky.join('\u0001')) return `${path}: keys [${kx.join()}] vs [${ky.join()}]`
  for (const k of kx) {
    const d = diff(x[k], y[k], `${path}.${k}`)
    if (d) return d
  }
  return undefined
}

const roundTrip = (v: unknown) => unpack(pack(v)) as unknown

t.test('copyMessage gives exactly what a MessagePack round trip gives', async (t) => {
  const cases: unknown[] = [
    { type: 'ping', n: 1 },
    { type: 'x', z: -0, nan: NaN, inf: -Infinity, big: 2 ** 53 + 2, f: 1.5, neg: -(2 ** 40) },
    { type: 'x', list: [1, , 3], u: undefined, n: null, nested: { a: [{ b: 'c' }] } }, // eslint-disable-line no-sparse-arrays
    { type: 'x', '10': 1, b: 2, '2': 3, 'x y': 4 },
    { type: 'x', s: 'ünï©ødé 🎉', long: 'y'.repeat(5000) },
    { type: 'x', lone: 'a\ud800b' },
    { type: 'x', when: new Date(5) },
    { type: 'x', map: new Map([['k', 1]]) },
    { type: 'x', bytes: new Uint8Array([1, 2, 3]) },
    { type: 'x', own: { constructor: 'not a function' } },
    { type: 'x', bare: Object.create(null) as object },
    { type: 'x', cls: new (class Point { x = 1; y = 2 })() },
  ]
  for (const c of cases) t.equal(diff(roundTrip(c), copyMessage(c)), undefined, JSON.stringify(c, (_k, v: unknown) => (v instanceof Map ? 'Map' : v)))
})

t.test('the copy shares no object with the original', async (t) => {
  const inner = { list: [1, 2] }
  const msg = { type: 'x', inner, arr: [inner] }
  const c = copyMessage(msg)
  t.same(c, msg)
  t.not(c, msg)
  t.not(c.inner, inner)
  t.not(c.inner.list, inner.list)
  t.not(c.arr[0], inner)
})

t.test('random plain and not-so-plain messages match the round trip', async (t) => {
  const rng = seededRandom(42)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)] as T
  const leaves: Array<() => unknown> = [() => 0, () => -0, () => NaN, () => 2 ** 32 + 1, () => rng(), () => '', () => 'é', () => 'z'.repeat(80), () => '\udc00', () => true, () => null, () => undefined, () => new Date(7), () => new Uint8Array([9])]
  const gen = (d: number): unknown => {
    if (d > 3 || rng() < 0.4) return pick(leaves)()
    if (rng() < 0.4) return Array.from({ length: Math.floor(rng() * 4) }, () => gen(d + 1))
    const o: Record<string, unknown> = {}
    for (let i = 0, n = Math.floor(rng() * 5); i < n; i++) o[pick(['a', 'b', '1', '0', 'type', `k${i}`])] = gen(d + 1)
    return o
  }
  let bad: string | undefined
  for (let i = 0; i < 5000 && !bad; i++) {
    const v = gen(0)
    bad = diff(roundTrip(v), copyMessage(v))
  }
  t.equal(bad, undefined)
})
