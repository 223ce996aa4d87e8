// A simulated etcd shard for tests: replicas in the deterministic Simulation with MemDisks,
// crash fencing (a crashed incarnation can no longer write its disk) and optional network chaos
// (duplicated and reordered Raft messages) layered over the simulator's loss and latency.
import type { Ctx, Disk, Message } from '../../../runtime/actor.ts'
import type { KvError } from '../../../protocols/kv.ts'
import { Simulation, type SimOptions } from '../../../runtime/sim/simulator.ts'
import type { LogRecord } from '../../../runtime/log.ts'
import type { EtcdArgs } from '../../../actors/args.ts'
import { Replica } from '../../../actors/etcd/replica.ts'

export interface ClusterOptions {
  seed: number
  n?: number
  shard?: string
  args?: Partial<EtcdArgs>
  latencyMs?: [number, number]
  /** Probability that a Raft message is sent twice / delayed out of order. */
  duplicate?: number
  reorder?: number
  onLog?: SimOptions['onLog']
  /** Sees every Raft message a replica sends (before loss/duplication/reordering). */
  onRaftSend?: (from: string, msg: Message) => void
}

export function etcdArgs(shard: string, members: string[], over: Partial<EtcdArgs> = {}): EtcdArgs {
  return {
    shard, members, heartbeatMs: 50, electionTimeoutMs: [500, 1000], snapshotEntries: 100,
    historyRevisions: 100_000, storage: 'disk', fsync: true, ...over,
  }
}

export class SimCluster {
  readonly sim: Simulation
  readonly members: string[]
  readonly replicas = new Map<string, Replica>()
  /** term -> leader, from raft.leader.elected logs; a second leader in a term is recorded. */
  readonly leadersByTerm = new Map<number, string>()
  readonly violations: string[] = []
  /** Probability that a Raft message between replicas is lost (KV and watch traffic is reliable). */
  raftLoss = 0
  private readonly epoch = new Map<string, number>()
  private readonly args: EtcdArgs

  constructor(readonly opts: ClusterOptions) {
    const shard = opts.shard ?? 'main'
    this.members = Array.from({ length: opts.n ?? 3 }, (_, i) => `etcd-${shard}-${i}`)
    this.args = etcdArgs(shard, this.members, opts.args)
    this.sim = new Simulation({
      seed: opts.seed, latencyMs: opts.latencyMs ?? [1, 5], traceDeliveries: false,
      onLog: (r, now) => {
        this.watchLog(r)
        opts.onLog?.(r, now)
      },
    })
    for (const id of this.members) {
      this.epoch.set(id, 0)
      this.sim.spawn(id, (ctx) => this.boot(id, ctx), { disk: this.args.storage === 'disk' })
    }
  }

  crash(id: string): void {
    this.epoch.set(id, (this.epoch.get(id) ?? 0) + 1)
    this.sim.crash(id)
  }

  restart(id: string): void {
    this.epoch.set(id, (this.epoch.get(id) ?? 0) + 1)
    this.sim.restart(id)
  }

  leader(): string | undefined {
    let best: string | undefined
    let bestTerm = -1
    for (const id of this.members) {
      if (!this.sim.has(id)) continue
      const info = this.sim.reports.get(id)?.info as { leader?: boolean; term?: number } | undefined
      if (info?.leader && (info.term ?? 0) > bestTerm) [best, bestTerm] = [id, info.term ?? 0]
    }
    return best
  }

  async waitLeader(timeoutMs = 10_000): Promise<string> {
    const ok = await this.sim.runUntil(() => this.leader() !== undefined, timeoutMs)
    if (!ok) throw new Error(`no leader within ${timeoutMs} ms (seed ${this.opts.seed})`)
    return this.leader() as string
  }

  private boot(id: string, ctx: Ctx): ReturnType<typeof makeBehaviour> {
    const my = this.epoch.get(id) ?? 0
    const live = () => this.epoch.get(id) === my
    const rng = this.sim.rng
    const dup = this.opts.duplicate ?? 0
    const reorder = this.opts.reorder ?? 0
    const wrapped: Ctx = {
      ...ctx,
      disk: ctx.disk ? fenced(ctx.disk, live) : undefined,
      send: (to, msg) => {
        if (!msg.type.startsWith('raft.')) return ctx.send(to, msg)
        this.opts.onRaftSend?.(id, msg)
        if (this.raftLoss > 0 && rng() < this.raftLoss) return
        if (reorder > 0 && rng() < reorder) {
          void ctx.sleep(1 + rng() * 30).then(() => ctx.send(to, msg))
          return
        }
        ctx.send(to, msg)
        if (dup > 0 && rng() < dup) ctx.send(to, msg)
      },
    }
    const r = new Replica(wrapped, this.args)
    this.replicas.set(id, r)
    return makeBehaviour(r)
  }

  private watchLog(r: LogRecord): void {
    const o = r.obj as { event?: string; term?: number; id?: string }
    if (o.event !== 'raft.leader.elected') return
    const prev = this.leadersByTerm.get(o.term as number)
    if (prev !== undefined && prev !== o.id) this.violations.push(`two leaders in term ${o.term}: ${prev} and ${o.id}`)
    this.leadersByTerm.set(o.term as number, o.id as string)
  }
}

function makeBehaviour(r: Replica) {
  return { start: () => r.start(), receive: r.receive.bind(r), stop: () => r.stop() }
}

function fenced(d: Disk, live: () => boolean): Disk {
  const guard = <T>(f: () => Promise<T>): Promise<T> => (live() ? f() : Promise.reject(new Error('fenced: crashed incarnation')))
  return {
    read: (n) => guard(() => d.read(n)),
    append: (n, b) => guard(() => d.append(n, b)),
    sync: (n) => guard(() => d.sync(n)),
    writeAtomic: (n, b) => guard(() => d.writeAtomic(n, b)),
    truncate: (n, s) => guard(() => d.truncate(n, s)),
    remove: (n) => guard(() => d.remove(n)),
    list: () => guard(() => d.list()),
  }
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
export const text = (b: Uint8Array): string => new TextDecoder().decode(b)

/**
 * Ask `to` and run the simulation until the answer; KV_NO_LEADER / KV_NOT_LEADER are retried
 * (after 50 ms, at the named leader or the next replica) as an API server would.
 */
export async function request<R extends Message>(c: SimCluster, client: Ctx, to: string, msg: object, timeoutMs = 5000): Promise<R | KvError> {
  let target = to
  const end = c.sim.now() + timeoutMs
  while (c.sim.now() < end) {
    let got: Message | undefined
    let failed = false
    client.ask(target, msg as Message, { timeoutMs: 3000 }).then((m) => (got = m), () => (failed = true))
    await c.sim.runUntil(() => got !== undefined || failed, end - c.sim.now())
    if (got === undefined) return { type: 'kv.error', code: 'KV_TIMEOUT', message: 'no answer' }
    const e = got as KvError
    if (e.type === 'kv.error' && (e.code === 'KV_NO_LEADER' || e.code === 'KV_NOT_LEADER')) {
      target = e.leader ?? c.members[(c.members.indexOf(target) + 1) % c.members.length]
      await c.sim.run(50)
      continue
    }
    return got as R
  }
  return { type: 'kv.error', code: 'KV_TIMEOUT', message: 'retries exhausted' }
}
