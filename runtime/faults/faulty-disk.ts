// A Disk wrapper for disk faults: every operation waits `slowMs` first, or fails with DISK_FAILED.
import type { Disk } from '../actor.ts'
import { ActorkubeError } from '../errors.ts'

export class DiskFailedError extends ActorkubeError {
  constructor(op: string) {
    super('DISK_FAILED', `disk ${op} failed (injected fault)`)
  }
}

export class FaultyDisk implements Disk {
  slowMs = 0
  failing = false

  constructor(private readonly inner: Disk, private readonly sleep: (ms: number) => Promise<void>) {}

  private async gate(op: string): Promise<void> {
    if (this.slowMs > 0) await this.sleep(this.slowMs)
    if (this.failing) throw new DiskFailedError(op)
  }

  async read(name: string) { await this.gate('read'); return this.inner.read(name) }
  async append(name: string, data: Uint8Array) { await this.gate('append'); return this.inner.append(name, data) }
  async sync(name: string) { await this.gate('sync'); return this.inner.sync(name) }
  async writeAtomic(name: string, data: Uint8Array) { await this.gate('writeAtomic'); return this.inner.writeAtomic(name, data) }
  async truncate(name: string, size: number) { await this.gate('truncate'); return this.inner.truncate(name, size) }
  async remove(name: string) { await this.gate('remove'); return this.inner.remove(name) }
  async list() { await this.gate('list'); return this.inner.list() }
}
