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
  /** The longest wait for one replica's answer. */
  askTimeoutMs: number
  /**
   * The least wait for the first replica's answer (default min(askTimeoutMs, 300)): short, so
   * that a dead replica (a crashed leader, say) is passed over at once. When the shard answers
   * slowly, the wait follows its answer times (TCP's retransmission timeout, RFC 6298: smoothed
   * time + 4 x its variation), so an overloaded shard is not sent every request two or three
   * times. Each retry waits twice as long, up to askTimeoutMs.
   */
  firstAttemptMs?: number
  /** A request gives up once this much time has gone by (default: four rounds of the replicas). */
  totalTimeoutMs?: number
}

/**
 * Asks a shard's replicas, starting with the one that answered last. Every write carries a
 * request id that stays the same across retries, and the shard applies a write at most once per
 * id: so a write whose replica went silent (or answered KV_TIMEOUT) is sent again, to the next
 * replica, without any risk of applying it twice. Replicas that went silent are tried last for a
 * while. A request that runs out of time is 504 if a write may have been applied, else 503.
 */
export class KvClient {
  /** The replica each shard last answered from (its index in the member list). */
  private readonly preferred = new Map<string, number>()
  /** Replicas that did not answer in time, until when they are tried last. */
  private readonly suspects = new Map<string, number>()
  /** Per shard: smoothed answer time and its variation (ms). */
  private readonly rtt = new Map<string, { srtt: number; rttvar: number }>()

  constructor(private readonly ctx: Ctx, readonly opts: KvClientOptions) {}

  /** How long the first attempt at `shard` waits (see KvClientOptions.firstAttemptMs). */
  firstWait(shard: string): number {
    const least = this.opts.firstAttemptMs ?? 300
    const r = this.rtt.get(shard)
    const rto = r ? Math.round(r.srtt + 4 * r.rttvar) : 0
    return Math.min(this.opts.askTimeoutMs, Math.max(least, rto))
  }

  private sample(shard: string, ms: number): void {
    const r = this.rtt.get(shard)
    if (!r) {
      this.rtt.set(shard, { srtt: ms, rttvar: ms / 2 })
      return
    }
    r.rttvar = 0.75 * r.rttvar + 0.25 * Math.abs(r.srtt - ms)
    r.srtt = 0.875 * r.srtt + 0.125 * ms
  }

  shardFor(resource: string): string {
    return this.opts.resourceShards[resource] ?? this.opts.defaultShard
  }

  shards(): string[] {
    return Object.keys(this.opts.shards)
  }

  members(shard: string): string[] {
    return this.opts.shards[shard] ?? []
  }

  /** Move on from the current replica of `shard` (its watch stream died, say): the next one not under suspicion. */
  rotate(shard: string): string {
    const ms = this.members(shard)
    const n = Math.max(1, ms.length)
    const from = this.preferred.get(shard) ?? 0
    const now = this.ctx.now()
    let i = (from + 1) % n
    for (let k = 1; k < n; k++) {
      const j = (from + k) % n
      if ((this.suspects.get(ms[j]!) ?? 0) <= now) {
        i = j
        break
      }
    }
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
    const write = WRITES.has(req.type)
    const sent: KvRequest = write ? { ...req, requestId: (req as { requestId?: string }).requestId ?? this.ctx.newId() } as KvRequest : req
    const maxWait = this.opts.askTimeoutMs
    let wait = this.firstWait(shard)
    const deadline = this.ctx.now() + (this.opts.totalTimeoutMs ?? 4 * ms.length * maxWait)
    let last = 'no replica answered'
    /** Some attempt of this write may have reached a leader: its outcome is unknown. */
    let maybeApplied = false
    let refusedInARow = 0
    for (;;) {
      const left = deadline - this.ctx.now()
      if (left <= 0) break
      const to = this.current(shard)
      const sentAt = this.ctx.now()
      try {
        const r = await this.ctx.ask<R | KvError>(to, sent, { timeoutMs: Math.max(1, Math.min(wait, left)) })
        this.suspects.delete(to)
        // Each attempt is its own ask: its answer times that replica (no ambiguity as with TCP's retransmissions).
        this.sample(shard, this.ctx.now() - sentAt)
        if (r.type === 'kv.error' && RETRY_CODES.has((r as KvError).code)) {
          const e = r as KvError
          last = `${to}: ${e.code}`
          if (e.code === 'KV_TIMEOUT') maybeApplied ||= write
          const li = e.leader ? ms.indexOf(e.leader) : -1
          if (li >= 0 && li !== ms.indexOf(to)) {
            this.preferred.set(shard, li)
            continue
          }
          this.rotate(shard)
          // Every replica said no (an election is going on): wait a little before the next round.
          if (++refusedInARow >= ms.length) {
            refusedInARow = 0
            await this.ctx.sleep(Math.min(50, Math.max(0, deadline - this.ctx.now())))
          }
          continue
        }
        return r
      } catch (err) {
        if (errorCode(err) !== 'ASK_TIMEOUT') throw err
        last = `${to}: no answer within ${Math.min(wait, left)} ms`
        maybeApplied ||= write
        refusedInARow = 0
        this.suspects.set(to, this.ctx.now() + maxWait)
        this.rotate(shard)
        wait = Math.min(maxWait, wait * 2)
      }
    }
    if (maybeApplied) throw timeout(`etcd shard ${shard}: the write's outcome is unknown (${last})`)
    throw unavailable(`etcd shard ${shard} unavailable (${last})`)
  }
}
