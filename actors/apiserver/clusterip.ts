// Service ClusterIP range: parse the CIDR, test membership, pick candidates. The allocation
// itself is a key per IP in the services' shard, created in the same txn as the Service.
import { ConfigError } from '../../runtime/errors.ts'

export const IP_KEY_PREFIX = '/ranges/serviceips/'

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip)
  if (!m) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return undefined
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export class ServiceCidr {
  readonly base: number
  readonly size: number
  constructor(readonly cidr: string) {
    const [ip, bits] = cidr.split('/')
    const b = Number(bits)
    const base = ipToInt(ip ?? '')
    if (base === undefined || !Number.isInteger(b) || b < 8 || b > 30) throw new ConfigError('serviceCIDR', `invalid IPv4 CIDR "${cidr}"`)
    this.size = 2 ** (32 - b)
    this.base = base - (base % this.size)
  }

  /** Usable addresses: not the network address, not broadcast, not the first (the kubernetes Service's). */
  usable(ip: string): boolean {
    const n = ipToInt(ip)
    if (n === undefined) return false
    const off = n - this.base
    return off >= 2 && off < this.size - 1
  }

  /** The reserved first address, for the `kubernetes` Service in `default`. */
  get first(): string {
    return intToIp(this.base + 1)
  }

  /** A random usable candidate from `r` in [0, 1). */
  candidate(r: number): string {
    const n = this.size - 3
    return intToIp(this.base + 2 + Math.floor(r * n))
  }

  /** The i-th usable address (a scan after random picks keep colliding). */
  nth(i: number): string | undefined {
    return i < this.size - 3 ? intToIp(this.base + 2 + i) : undefined
  }

  get capacity(): number {
    return this.size - 3
  }
}

export const ipKey = (ip: string): string => `${IP_KEY_PREFIX}${ip}`
