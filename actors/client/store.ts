// The informer's local cache: objects by key (namespace/name), with optional indexes. Pure.
import type { KObject } from '../../protocols/k8s.ts'

export type Indexers<T> = Record<string, (obj: T) => string[]>

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name
}

export function keyOf(obj: KObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name ?? '')
}

/** resourceVersions are store revisions: compare them as numbers when they are numbers. */
export function rvNewer(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false
  const x = Number(a)
  const y = Number(b)
  if (Number.isFinite(x) && Number.isFinite(y)) return x > y
  return false
}

export class Store<T extends KObject> {
  private readonly items = new Map<string, T>()
  private readonly indexes = new Map<string, Map<string, Set<string>>>()

  constructor(private readonly indexers: Indexers<T> = {}) {
    for (const name of Object.keys(indexers)) this.indexes.set(name, new Map())
  }

  get size(): number {
    return this.items.size
  }

  get(key: string): T | undefined {
    return this.items.get(key)
  }

  keys(): string[] {
    return [...this.items.keys()]
  }

  list(): T[] {
    return [...this.items.values()]
  }

  /** Insert or replace; returns the previous object. */
  put(obj: T): T | undefined {
    const key = keyOf(obj)
    const old = this.items.get(key)
    if (old) this.unindex(key, old)
    this.items.set(key, obj)
    this.index(key, obj)
    return old
  }

  remove(key: string): T | undefined {
    const old = this.items.get(key)
    if (!old) return undefined
    this.unindex(key, old)
    this.items.delete(key)
    return old
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indexes.get(index)
    if (!idx) return []
    const keys = idx.get(value)
    if (!keys) return []
    const out: T[] = []
    for (const k of keys) {
      const o = this.items.get(k)
      if (o) out.push(o)
    }
    return out
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const idx = this.indexes.get(name) as Map<string, Set<string>>
      for (const v of fn(obj)) {
        let s = idx.get(v)
        if (!s) idx.set(v, (s = new Set()))
        s.add(key)
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const idx = this.indexes.get(name) as Map<string, Set<string>>
      for (const v of fn(obj)) {
        const s = idx.get(v)
        if (!s) continue
        s.delete(key)
        if (s.size === 0) idx.delete(v)
      }
    }
  }
}
