// An in-memory Disk for the simulator: appended data is volatile until sync; crash() drops it.
import type { Disk } from '../actor.ts'

interface SimFile {
  durable: Uint8Array
  volatile: Uint8Array
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
    return f ? concat(f.durable, f.volatile) : undefined
  }

  async append(name: string, data: Uint8Array): Promise<void> {
    this.check()
    const f = this.files.get(name) ?? { durable: new Uint8Array(0), volatile: new Uint8Array(0) }
    f.volatile = concat(f.volatile, data)
    this.files.set(name, f)
  }

  async sync(name: string): Promise<void> {
    this.check()
    const f = this.files.get(name)
    if (!f) return
    f.durable = concat(f.durable, f.volatile)
    f.volatile = new Uint8Array(0)
  }

  async writeAtomic(name: string, data: Uint8Array): Promise<void> {
    this.check()
    this.files.set(name, { durable: data.slice(), volatile: new Uint8Array(0) })
  }

  async truncate(name: string, size: number): Promise<void> {
    this.check()
    const f = this.files.get(name)
    if (!f) return
    const all = concat(f.durable, f.volatile).slice(0, size)
    this.files.set(name, { durable: all, volatile: new Uint8Array(0) })
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
    for (const f of this.files.values()) f.volatile = new Uint8Array(0)
  }

  /** Flip bytes in the durable part of a file (corruption tests). */
  corrupt(name: string, offset: number): void {
    const f = this.files.get(name)
    if (f && offset < f.durable.length) f.durable[offset] ^= 0xff
  }
}
