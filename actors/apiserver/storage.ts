// The API server's side of the KV protocol: routes a resource to its shard, asks a replica,
// moves on to another replica when one times out or has no leader, and encodes objects.
import { pack, unpack } from 'msgpackr'
import type { Ctx, Message } from '../../runtime/actor.ts'
import { errorCode } from '../../runtime/errors.ts'
import type { KvError, KvRequest } from '../../protocols/kv.ts'
import type { KObject } from '../../protocols/k8s.ts'
import type { KindInfo } from './kinds.ts'
import { timeout, unavailable } from './errors.ts'

const RETRY_CODES = new Set(['KV_NO_LEADER', 'KV_NOT_LEADER', 'KV_STOPPING', 'KV_TIMEOUT'])
const WRITES = new Set(['kv.put', 'kv.delete', 'kv.txn'])

export const encode = (o: KObject): Uint8Array => pack(o)
export const decode = (b: Uint8Array): KObject => unpack(b) as KObject

export function objectKey(ki: KindInfo, namespace: string | undefined, name: string): string {
  return ki.namespaced ? `/registry/${ki.plural}/${namespace ?? ''}/${name}` : `/registry/${ki.plural}/${name}`
}

export function listPrefix(ki: KindInfo, namespace: string | undefined): string {
  return ki.namespaced && namespace ? `/registry/${ki.plural}/${namespace}/` : `/registry/${ki.plural}/`
}

/** The plural resource named by a key ('/registry/pods/ns/name' -> 'pods'). */
export function resourceOfKey(key: string): string | undefined {
  const m = /^\/registry\/([^/]+)\//.exec(key)
  return m?.[1]
}

export interface KvClientOptions {
  shards: Record<string, string[]>
  resourceShards: Record<string, string>
  defaultShard: string
  /** Per-ask timeout; a request tries each replica at most twice. */
  askTimeoutMs: number
  /** A request gives up (503) once this much time has gone by. */
  totalTimeoutMs?: number
}

export class KvClient {
  /** The replica each shard last answered from (its index in the member list). */
  private readonly preferred = new Map<string, number>()
  constructor(private readonly ctx: Ctx, readonly opts: KvClientOptions) {}

  shardFor(resource: string): string {
    return this.opts.resourceShards[resource] ?? this.opts.defaultShard
  }

  shards(): string[] {
    return Object.keys(this.opts.shards)
  }

  members(shard: string): string[] {
    return this.opts.shards[shard] ?? []
  }

  /** Move on from the current replica of `shard` (its watch stream died, say). */
  rotate(shard: string): string {
    const ms = this.members(shard)
    const i = ((this.preferred.get(shard) ?? 0) + 1) % Math.max(1, ms.length)
    this.preferred.set(shard, i)
    return ms[i]!
  }

  current(shard: string): string {
    const ms = this.members(shard)
    return ms[(this.preferred.get(shard) ?? 0) % Math.max(1, ms.length)]!
  }

  /** Ask the shard; replies of type kv.error other than retryable ones are returned as they are. */
  async ask<R extends Message>(shard: string, req: KvRequest): Promise<R | KvError> {
    const ms = this.members(shard)
    if (ms.length === 0) throw unavailable(`no etcd replicas for shard ${shard}`)
    let last = 'no replica answered'
    const deadline = this.ctx.now() + (this.opts.totalTimeoutMs ?? Infinity)
    for (let attempt = 0; attempt < ms.length * 2 && this.ctx.now() < deadline; attempt++) {
      const to = this.current(shard)
      try {
        const r = await this.ctx.ask<R | KvError>(to, req, { timeoutMs: this.opts.askTimeoutMs })
        if (r.type === 'kv.error' && RETRY_CODES.has((r as KvError).code)) {
          const e = r as KvError
          // A write that timed out may still be applied: say so rather than write twice.
          if (e.code === 'KV_TIMEOUT' && WRITES.has(req.type)) throw timeout(`etcd shard ${shard}: the write's outcome is unknown (${e.message})`)
          last = `${to}: ${e.code}`
          const li = e.leader ? ms.indexOf(e.leader) : -1
          if (li >= 0) this.preferred.set(shard, li)
          else this.rotate(shard)
          if (li < 0 && attempt >= ms.length - 1) await this.ctx.sleep(50)
          continue
        }
        return r
      } catch (err) {
        if (errorCode(err) !== 'ASK_TIMEOUT') throw err
        last = `${to}: ASK_TIMEOUT`
        this.rotate(shard)
      }
    }
    throw unavailable(`etcd shard ${shard} unavailable (${last})`)
  }
}
