// Pod IPs from the node's podCIDR, like the host-local IPAM plugin: lowest free address,
// skipping the network address, the gateway (.1) and the broadcast address.
import { ActorkubeError } from '../../runtime/errors.ts'

export class IpExhaustedError extends ActorkubeError {
  constructor(cidr: string) {
    super('KUBELET_IP_EXHAUSTED', `no free pod IP in ${cidr}`)
  }
}

export class InvalidCidrError extends ActorkubeError {
  constructor(cidr: string) {
    super('KUBELET_CIDR_INVALID', `not an IPv4 CIDR: ${cidr}`)
  }
}

export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined
    const v = Number(p)
    if (v > 255) return undefined
    n = n * 256 + v
  }
  return n
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bitsText] = cidr.split('/')
  const base = parseIPv4(ip ?? '')
  const bits = Number(bitsText)
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new InvalidCidrError(cidr)
  const size = 2 ** (32 - bits)
  return { base: base - (base % size), size }
}

export class IpAllocator {
  private readonly base: number
  private readonly size: number
  private readonly used = new Map<number, string>()
  private readonly byOwner = new Map<string, number>()

  constructor(readonly cidr: string) {
    const c = parseCidr(cidr)
    this.base = c.base
    this.size = c.size
  }

  /** The gateway address (.1), used as the node's own InternalIP. */
  gateway(): string {
    return formatIPv4(this.base + 1)
  }

  /**
   * Same owner, same IP (a sandbox re-created for the same pod keeps its address). `prefer` (the
   * IP the pod reported before a kubelet restart) is taken when it is in range and free.
   */
  allocate(owner: string, prefer?: string): string {
    const had = this.byOwner.get(owner)
    if (had !== undefined) return formatIPv4(had)
    const p = prefer === undefined ? undefined : parseIPv4(prefer)
    if (p !== undefined && p >= this.base + 2 && p < this.base + this.size - 1 && !this.used.has(p)) {
      this.used.set(p, owner)
      this.byOwner.set(owner, p)
      return formatIPv4(p)
    }
    for (let off = 2; off < this.size - 1; off++) {
      const n = this.base + off
      if (!this.used.has(n)) {
        this.used.set(n, owner)
        this.byOwner.set(owner, n)
        return formatIPv4(n)
      }
    }
    throw new IpExhaustedError(this.cidr)
  }

  release(owner: string): void {
    const n = this.byOwner.get(owner)
    if (n === undefined) return
    this.byOwner.delete(owner)
    this.used.delete(n)
  }

  inUse(): number {
    return this.used.size
  }
}
