// Real worker threads: kill the leader's thread under write load; the shard keeps serving after
// an election, and no acknowledged write is lost.
import t from 'tap'
import pino from 'pino'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Supervisor } from '../../../runtime/host/supervisor.ts'
import type { Message } from '../../../runtime/actor.ts'
import type { ClusterPlan } from '../../../runtime/plan.ts'
import type { KvRangeReply } from '../../../protocols/kv.ts'
import type { EtcdArgs } from '../../../actors/args.ts'

const registry = fileURLToPath(new URL('./registry.ts', import.meta.url))
const members = ['etcd-main-0', 'etcd-main-1', 'etcd-main-2']

t.test('kill the leader thread under write load: a new leader serves and acknowledged writes survive', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'etcd-threads-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const args: EtcdArgs = { shard: 'main', members, heartbeatMs: 50, electionTimeoutMs: [300, 600], snapshotEntries: 500, historyRevisions: 10_000, storage: 'disk', fsync: true }
  const plan: ClusterPlan = {
    root: {
      id: 'root', strategy: 'one_for_one', intensity: 10, periodMs: 10_000,
      children: members.map((id, i) => ({ spec: { id, kind: 'etcd', args, storage: 'disk' as const }, thread: `etcd-${i}`, restart: 'permanent' as const, backoff: { initialMs: 100, maxMs: 500, jitter: 0 } })),
    },
    heartbeatMs: 100, hangTimeoutMs: 2000, dataDir, fsync: true,
  }
  const s = new Supervisor(plan, { registry, logger: pino({ level: 'silent' }) })
  t.teardown(() => s.stop())
  await s.start()
  const leader = () => s.status().find((a) => a.state === 'running' && (a.report.info as { leader?: boolean } | undefined)?.leader)?.id
  const waitFor = async (pred: () => boolean, ms: number) => {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if (pred()) return true
      await new Promise((r) => setTimeout(r, 20))
    }
    return pred()
  }
  t.ok(await waitFor(() => leader() !== undefined, 10_000), 'a leader is elected on threads')
  const first = leader() as string

  const acked = new Map<string, number>()
  const sentAt = new Map<string, number>()
  let stop = false
  let n = 0
  const worker = async (w: number) => {
    while (!stop) {
      const key = `/w/${w}/${n++}`
      const to = members[n % members.length]
      sentAt.set(key, Date.now())
      try {
        const r = await s.ask(to, { type: 'kv.put', key, value: new TextEncoder().encode(key) } as Message, 2000)
        if (r.type === 'kv.put.reply') acked.set(key, Date.now())
        else await new Promise((res) => setTimeout(res, 20))
      } catch {
        // timed out: unknown
      }
    }
  }
  const workers = Array.from({ length: 8 }, (_, w) => worker(w))
  t.ok(await waitFor(() => acked.size >= 100, 20_000), `writes acknowledged before the kill: ${acked.size}`)
  const killedAt = Date.now()
  s.inject({ kind: 'kill', target: first })
  const afterKill = () => [...acked].filter(([k]) => (sentAt.get(k) ?? 0) > killedAt).map(([, at]) => at)
  t.ok(await waitFor(() => afterKill().length > 0 && leader() !== undefined && leader() !== first, 15_000), 'writes sent after the kill succeed under a new leader')
  const recovered = Math.min(...afterKill()) - killedAt
  t.comment(`first write acknowledged ${recovered} ms after the kill; new leader ${leader()}`)
  await new Promise((r) => setTimeout(r, 300))
  stop = true
  await Promise.all(workers)
  const all = await s.ask<KvRangeReply>(leader() as string, { type: 'kv.range', key: '/w/', prefix: true } as Message, 5000)
  t.equal(all.type, 'kv.range.reply')
  const have = new Set(all.kvs.map((kv) => kv.key))
  const lost = [...acked.keys()].filter((k) => !have.has(k))
  t.same(lost, [], `all ${acked.size} acknowledged writes present`)
})
