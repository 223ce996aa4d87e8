// NodeDisk: the Disk of one actor, a directory on the real file system. append buffers in the
// OS, sync fsyncs (fdatasync) the file, writeAtomic = tmp file + fsync + rename + dir fsync.
// With { fsync: false } nothing is fsynced (throwaway runs).
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import type { Disk } from '../actor.ts'

export class NodeDisk implements Disk {
  private readonly handles = new Map<string, Promise<fs.FileHandle>>()
  private ready: Promise<void> | undefined

  constructor(readonly dir: string, private readonly opts: { fsync: boolean }) {}

  private ensureDir(): Promise<void> {
    this.ready ??= fs.mkdir(this.dir, { recursive: true }).then(() => undefined)
    return this.ready
  }

  private file(name: string): string {
    if (name.includes('/') || name.includes('\\') || name === '' || name.startsWith('.')) {
      throw new Error(`invalid disk file name ${JSON.stringify(name)}`)
    }
    return path.join(this.dir, name)
  }

  private handle(name: string): Promise<fs.FileHandle> {
    let h = this.handles.get(name)
    if (!h) {
      h = this.ensureDir().then(() => fs.open(this.file(name), 'a'))
      this.handles.set(name, h)
      h.catch(() => this.handles.delete(name))
    }
    return h
  }

  private async closeHandle(name: string): Promise<void> {
    const h = this.handles.get(name)
    if (!h) return
    this.handles.delete(name)
    try {
      await (await h).close()
    } catch {
      // already closed or never opened
    }
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await fs.readFile(this.file(name)))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  async append(name: string, data: Uint8Array): Promise<void> {
    const h = await this.handle(name)
    let off = 0
    while (off < data.length) {
      const { bytesWritten } = await h.write(data, off, data.length - off)
      off += bytesWritten
    }
  }

  async sync(name: string): Promise<void> {
    if (!this.opts.fsync) return
    const h = this.handles.get(name)
    if (h) await (await h).datasync()
  }

  async writeAtomic(name: string, data: Uint8Array): Promise<void> {
    await this.ensureDir()
    const target = this.file(name)
    const tmp = path.join(this.dir, `.${name}.tmp`)
    const h = await fs.open(tmp, 'w')
    try {
      await h.writeFile(data)
      if (this.opts.fsync) await h.sync()
    } finally {
      await h.close()
    }
    await this.closeHandle(name)
    await fs.rename(tmp, target)
    await this.syncDir()
  }

  async truncate(name: string, size: number): Promise<void> {
    await this.closeHandle(name)
    await fs.truncate(this.file(name), size)
    if (this.opts.fsync) {
      const h = await fs.open(this.file(name), 'r+')
      try {
        await h.sync()
      } finally {
        await h.close()
      }
    }
  }

  async remove(name: string): Promise<void> {
    await this.closeHandle(name)
    try {
      await fs.unlink(this.file(name))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    await this.syncDir()
  }

  async list(): Promise<string[]> {
    try {
      return (await fs.readdir(this.dir)).filter((n) => !n.startsWith('.')).sort()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
  }

  /** Close every open file (the actor stopped). */
  async close(): Promise<void> {
    await Promise.all([...this.handles.keys()].map((n) => this.closeHandle(n)))
  }

  private async syncDir(): Promise<void> {
    if (!this.opts.fsync) return
    const d = await fs.open(this.dir, 'r')
    try {
      await d.sync()
    } finally {
      await d.close()
    }
  }
}
