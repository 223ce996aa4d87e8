// One seeded chaos run of a simulated shard: clients doing puts and linearizable gets, a watcher
// that reconnects, and faults (crash/restart, partitions, loss, duplication, reordering, clock
// skew, pauses). Returns the problems found (empty = all checks passed).
// Clients either ask one random replica per operation, or go through the API server's etcd
// client (KvClient: request ids, retries at other replicas), whose answers are then checked too:
// a 503 must mean "not applied", a 504 "maybe applied".
import type { Ctx, Message } from '../../../runtime/actor.ts'
import type { KvError, KvRangeReply, KvWatchCanceled, KvWatchEvents } from '../../../protocols/kv.ts'
import { randInt } from '../../../runtime/random.ts'
import { errorCode } from '../../../runtime/errors.ts'
import { KvClient } from '../../../actors/apiserver/storage.ts'
import { checkKv, type KvOperation } from '../../helpers/linearizability.ts'
import { SimCluster, bytes, text } from './cluster.ts'

export interface ChaosOptions {
  seed: number
  durationMs?: number
  clients?: number
  /** Clients use the API server's KvClient instead of asking one replica per operation. */
  kvClient?: boolean
}

export interface ChaosResult {
  problems: string[]
  ops: number
  acked: number
  watchEvents: number
}

const KEYS = ['/k/a', '/k/b', '/k/c']

export async function chaosRun(o: ChaosOptions): Promise<ChaosResult> {
  const seed = o.seed
  const duration = o.durationMs ?? 6000
  const c = new SimCluster({
    seed, n: seed % 4 === 0 ? 5 : 3, latencyMs: [1, 8], duplicate: 0.02, reorder: 0.02,
    args: { heartbeatMs: 50, electionTimeoutMs: [300, 600], snapshotEntries: 40 },
  })
  const sim = c.sim
  const rng = sim.rng
  const problems: string[] = []
  const history: KvOperation[] = []
  let stopClients = false

  // ---- clients ----
  const nClients = o.clients ?? 3
  for (let k = 0; k < nClients; k++) {
    const id = `apiserver-${k}`
    let n = 0
    sim.spawn(id, (ctx: Ctx) => ({
      async start() {
        const kv = o.kvClient
          ? new KvClient(ctx, { shards: { main: c.members }, resourceShards: {}, defaultShard: 'main', askTimeoutMs: 1000, totalTimeoutMs: 3000 })
          : undefined
        while (!stopClients) {
          const key = KEYS[randInt(rng, 0, KEYS.length - 1)]
          const to = c.members[randInt(rng, 0, c.members.length - 1)]
          const call = sim.now()
          if (kv) {
            await viaKvClient(kv, key, id, n++, call)
          } else if (rng() < 0.5) {
            const value = `${id}:${n++}`
            const op: KvOperation = { key, input: { kind: 'put', value }, call, ret: Infinity, client: id }
            history.push(op)
            try {
              const r = await ctx.ask(to, { type: 'kv.put', key, value: bytes(value) } as Message, { timeoutMs: 1000 })
              if (r.type === 'kv.put.reply') op.ret = sim.now()
              else if ((r as KvError).code === 'KV_NOT_LEADER' || (r as KvError).code === 'KV_NO_LEADER' || (r as KvError).code === 'KV_STOPPING') {
                history.splice(history.indexOf(op), 1) // refused before proposing: never applied
              }
            } catch {
              // timeout: maybe applied
            }
          } else {
            try {
              const r = await ctx.ask<KvRangeReply>(to, { type: 'kv.range', key } as Message, { timeoutMs: 1000 })
              if (r.type === 'kv.range.reply') history.push({ key, input: { kind: 'get' }, output: r.kvs[0] ? text(r.kvs[0].value) : null, call, ret: sim.now(), client: id })
            } catch {
              // unknown read: no information
            }
          }
          await ctx.sleep(rng() * 20)
        }
      },
      receive() {},
    }))
  }

  async function viaKvClient(kv: KvClient, key: string, id: string, n: number, call: number): Promise<void> {
    if (rng() < 0.5) {
      const value = `${id}:${n}`
      const op: KvOperation = { key, input: { kind: 'put', value }, call, ret: Infinity, client: id }
      history.push(op)
      try {
        const r = await kv.ask('main', { type: 'kv.put', key, value: bytes(value) })
        if (r.type === 'kv.put.reply') op.ret = sim.now()
        else problems.push(`KvClient returned ${(r as KvError).code} for a put`)
      } catch (err) {
        // 503: no replica took it, so it was never applied; 504: maybe applied.
        if (errorCode(err) === 'API_UNAVAILABLE') history.splice(history.indexOf(op), 1)
      }
    } else {
      try {
        const r = await kv.ask<KvRangeReply>('main', { type: 'kv.range', key })
        if (r.type === 'kv.range.reply') history.push({ key, input: { kind: 'get' }, output: r.kvs[0] ? text(r.kvs[0].value) : null, call, ret: sim.now(), client: id })
      } catch {
        // no answer: no information
      }
    }
  }

  // ---- a watcher that reconnects from its last revision ----
  const seen: Array<{ rev: number; key: string; type: string; value: string }> = []
  let lastRev = 0
  let watchN = 0
  let current = ''
  let lastHeard = 0
  const watcher = sim.spawn('apiserver-9', () => ({
    receive(m) {
      if (m.type === 'kv.watch.events') {
        const w = m as KvWatchEvents
        if (w.watchId !== current) return
        lastHeard = sim.now()
        for (const e of w.events) {
          if (e.kv.modRevision <= lastRev) problems.push(`watch went back or duplicated: rev ${e.kv.modRevision} after ${lastRev}`)
          seen.push({ rev: e.kv.modRevision, key: e.kv.key, type: e.type, value: text(e.kv.value) })
          lastRev = e.kv.modRevision
        }
      } else if (m.type === 'kv.watch.canceled' && (m as KvWatchCanceled).watchId === current) {
        current = ''
      }
    },
  }))
  const rewatch = async () => {
    const id = `w${++watchN}`
    const to = c.members[randInt(rng, 0, c.members.length - 1)]
    current = id
    lastHeard = sim.now()
    try {
      const r = await watcher.ask(to, { type: 'kv.watch.create', watchId: id, key: '/k/', prefix: true, startRevision: lastRev + 1, progressNotify: true } as Message, { timeoutMs: 500 })
      if (r.type !== 'kv.watch.created' && current === id) current = ''
    } catch {
      if (current === id) current = ''
    }
  }
  const watchLoop = () => {
    if (current === '' || sim.now() - lastHeard > 1500) void rewatch()
    sim.at(100, watchLoop)
  }
  sim.at(50, watchLoop)

  // ---- invariant: committed entries never change ----
  const committed = new Map<number, string>()
  const sample = () => {
    for (const id of c.members) {
      if (!sim.has(id)) continue
      const raft = c.replicas.get(id)?.inspect().raft
      if (!raft) continue
      const lg = raft.log
      for (let i = lg.firstIndex(); i <= lg.committed; i++) {
        const e = lg.slice(i, i)[0]
        const sig = `${e.term}:${e.data ? Buffer.from(e.data).toString('base64') : ''}`
        const prev = committed.get(i)
        if (prev === undefined) committed.set(i, sig)
        else if (prev !== sig) problems.push(`committed entry ${i} changed on ${id}`)
      }
    }
    if (!stopClients) sim.at(50, sample)
  }
  sim.at(50, sample)

  // ---- faults ----
  const crashed = new Set<string>()
  let t = 300
  while (t < duration - 500) {
    const victim = c.members[randInt(rng, 0, c.members.length - 1)]
    const kind = randInt(rng, 0, 5)
    const len = 200 + rng() * 1200
    const at = t
    sim.at(at, () => {
      switch (kind) {
        case 0:
          if (!crashed.has(victim)) {
            c.crash(victim)
            crashed.add(victim)
            sim.at(len, () => {
              c.restart(victim)
              crashed.delete(victim)
            })
          }
          break
        case 1: {
          const heal = sim.partition([victim], c.members.filter((m) => m !== victim))
          sim.at(len, heal)
          break
        }
        case 2: {
          c.raftLoss = 0.1 + rng() * 0.2
          sim.at(len, () => (c.raftLoss = 0))
          break
        }
        case 3:
          sim.pause(victim)
          sim.at(len, () => sim.resume(victim))
          break
        case 4:
          sim.skewClock(victim, randInt(rng, -2000, 2000))
          break
        case 5: {
          const half = c.members.slice(0, Math.floor(c.members.length / 2))
          const heal = sim.partition(half, c.members.filter((m) => !half.includes(m)))
          sim.at(len, heal)
          break
        }
      }
    })
    t += 200 + rng() * 800
  }

  await sim.run(duration)
  stopClients = true
  sim.healAll()
  c.raftLoss = 0
  for (const id of c.members) {
    try {
      sim.resume(id)
    } catch {
      // not paused
    }
    if (!sim.has(id)) c.restart(id)
  }
  await sim.run(3000)

  // ---- checks ----
  problems.push(...c.violations)
  const lin = checkKv(history)
  if (!lin.ok) problems.push(`history not linearizable for keys ${lin.badKeys.join(', ')}`)
  const stores = c.members.map((id) => c.replicas.get(id)!.inspect().store)
  const revs = stores.map((s) => s.revision)
  if (new Set(revs).size !== 1) problems.push(`replicas did not converge: revisions ${revs.join(',')}`)
  const dump = stores.map((s) => JSON.stringify(s.range({ key: '/k/', prefix: true }).kvs.map((kv) => [kv.key, text(kv.value), kv.modRevision])))
  if (new Set(dump).size !== 1) problems.push('replicas hold different data')
  const truth = stores[0].eventsSince(1, { key: '/k/', prefix: true }, false).map((e) => ({ rev: e.kv.modRevision, key: e.kv.key, type: e.type, value: text(e.kv.value) }))
  // Every put writes a value of its own: one that shows up twice was applied twice.
  const times = new Map<string, number>()
  for (const e of truth) if (e.type === 'put') times.set(e.value, (times.get(e.value) ?? 0) + 1)
  const twice = [...times].filter(([, k]) => k > 1).map(([v]) => v)
  if (twice.length > 0) problems.push(`writes applied more than once: ${twice.slice(0, 5).join(', ')}`)
  const upTo = truth.filter((e) => e.rev <= lastRev)
  if (JSON.stringify(upTo) !== JSON.stringify(seen)) {
    const got = new Set(seen.map((e) => e.rev))
    const missing = upTo.filter((e) => !got.has(e.rev)).map((e) => e.rev)
    problems.push(`watch saw ${seen.length} events, expected ${upTo.length} (missing revisions ${missing.slice(0, 10).join(',')})`)
  }
  if (lastRev !== (truth.at(-1)?.rev ?? 0)) problems.push(`watcher stuck at ${lastRev}, store at ${truth.at(-1)?.rev}`)
  for (const cr of sim.crashes) problems.push(`replica crashed: ${cr.id} ${cr.error}`)
  return { problems, ops: history.length, acked: history.filter((h) => h.input.kind === 'put' && h.ret !== Infinity).length, watchEvents: seen.length }
}
