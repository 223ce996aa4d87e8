// An in-memory Disk for the simulator: appended data is volatile until sync; crash() drops it.
import type { Disk } from '../actor.ts'

/** A byte string that grows in place (capacity doubles), so a long log appends in O(1) amortized. */
class Bytes {
  private buf: Uint8Array
  length = 0

  constructor(data?: Uint8Array) {
    this.buf = data ? data.slice() : new Uint8Array(0)
    this.length = this.buf.length
  }

  append(data: Uint8Array): void {
    const need = this.length + data.length
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 256))
      grown.set(this.buf.subarray(0, this.length))
      this.buf = grown
    }
    this.buf.set(data, this.length)
    this.length = need
  }

  /** The current bytes, not a copy: valid until the next append. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }

  clear(): void {
    this.length = 0
  }

  flip(offset: number): void {
    if (offset < this.length) this.buf[offset] = (this.buf[offset] as number) ^ 0xff
  }
}

interface SimFile {
  durable: Bytes
  volatile: Bytes
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

export class MemDisk implements Disk {
  private readonly files = new Map<string, SimFile>()
  /** Injected by fault tests: a failing disk rejects every operation with this error. */
  failWith: Error | undefined

  private check(): void {
    if (this.failWith) throw this.failWith
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    this.check()
    const f = this.files.get(name)
    return f ? concat(f.durable.view(), f.volatile.view()) : undefined
  }

  async append(name: string, data: Uint8Array): Promise<void> {
    this.check()
    let f = this.files.get(name)
    if (!f) this.files.set(name, (f = { durable: new Bytes(), volatile: new Bytes() }))
    f.volatile.append(data)
  }

  async sync(name: string): Promise<void> {
    this.check()
    const f = this.files.get(name)
    if (!f) return
    f.durable.append(f.volatile.view())
    f.volatile.clear()
  }

  async writeAtomic(name: string, data: Uint8Array): Promise<void> {
    this.check()
    this.files.set(name, { durable: new Bytes(data), volatile: new Bytes() })
  }

  async truncate(name: string, size: number): Promise<void> {
    this.check()
    const f = this.files.get(name)
    if (!f) return
    const all = concat(f.durable.view(), f.volatile.view()).subarray(0, size)
    this.files.set(name, { durable: new Bytes(all), volatile: new Bytes() })
  }

  async remove(name: string): Promise<void> {
    this.check()
    this.files.delete(name)
  }

  async list(): Promise<string[]> {
    this.check()
    return [...this.files.keys()].sort()
  }

  /** The machine crashed: whatever was not synced is gone. */
  crash(): void {
    for (const f of this.files.values()) f.volatile.clear()
  }

  /** Flip bytes in the durable part of a file (corruption tests). */
  corrupt(name: string, offset: number): void {
    this.files.get(name)?.durable.flip(offset)
  }
}
