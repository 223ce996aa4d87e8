// IPv4 CIDR arithmetic for the pod and service ranges (pure).

export interface Cidr {
  base: number
  prefix: number
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text)
  if (!m) return undefined
  const octets = m.slice(1, 5).map(Number)
  const prefix = Number(m[5])
  if (octets.some((o) => o > 255) || prefix > 32) return undefined
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0
  return { base: (addr & mask(prefix)) >>> 0, prefix }
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`
}

/** True when the whole of `inner` lies inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && ((inner.base & mask(outer.prefix)) >>> 0) === outer.base
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a)
}

/** Number of /`size` subnets in `c` (0 when `size` is wider than `c`). */
export function subnetCount(c: Cidr, size: number): number {
  return size < c.prefix ? 0 : 2 ** (size - c.prefix)
}

/** The `i`-th /`size` subnet of `c`. */
export function subnet(c: Cidr, size: number, i: number): Cidr {
  return { base: (c.base + i * 2 ** (32 - size)) >>> 0, prefix: size }
}

export const LOOPBACK: Cidr = { base: 0x7f000000, prefix: 8 }
