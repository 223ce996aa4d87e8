// Child process for the durability test: a 3-replica durable shard in one process (real time,
// NodeDisk). Mode "load": write under load and print "ACK <key> <value>" per acknowledged put.
// Mode "verify": recover from the same data dir and print every key as JSON.
import { join } from 'node:path'
import { LocalSystem } from '../../../runtime/local.ts'
import { NodeDisk } from '../../../runtime/disk/node-disk.ts'
import type { Message } from '../../../runtime/actor.ts'
import type { KvRangeReply, KvError } from '../../../protocols/kv.ts'
import { create } from '../../../actors/etcd/actor.ts'
import type { EtcdArgs } from '../../../actors/args.ts'

const [mode, dir] = process.argv.slice(2)
const members = ['etcd-main-0', 'etcd-main-1', 'etcd-main-2']
const args: EtcdArgs = { shard: 'main', members, heartbeatMs: 50, electionTimeoutMs: [300, 600], snapshotEntries: 200, historyRevisions: 10_000, storage: 'disk', fsync: true }
const sys = new LocalSystem()
for (const id of members) sys.spawn(id, (ctx) => create(ctx, args), { disk: new NodeDisk(join(dir, id), { fsync: true }) })
const api = sys.client('apiserver-0')
const leader = () => members.find((m) => (sys.reports.get(m)?.info as { leader?: boolean } | undefined)?.leader)
if (!(await sys.waitFor(() => leader() !== undefined, 10_000))) {
  process.stdout.write('NO-LEADER\n')
  process.exit(2)
}

if (mode === 'load') {
  let n = 0
  const worker = async () => {
    while (true) {
      const key = `/load/${n++}`
      const value = `v${n}`
      try {
        const r = await api.ask(leader() ?? members[0], { type: 'kv.put', key, value: new TextEncoder().encode(value) } as Message, { timeoutMs: 2000 })
        if (r.type === 'kv.put.reply') process.stdout.write(`ACK ${key} ${value}\n`)
      } catch {
        // timeout: not acknowledged
      }
    }
  }
  process.stdout.write('READY\n')
  for (let i = 0; i < 16; i++) void worker()
} else {
  let r: KvRangeReply | KvError | undefined
  for (let i = 0; i < 50; i++) {
    r = await api.ask<KvRangeReply | KvError>(leader() ?? members[0], { type: 'kv.range', key: '/load/', prefix: true } as Message, { timeoutMs: 2000 }).catch(() => undefined)
    if (r?.type === 'kv.range.reply') break
    await new Promise((res) => setTimeout(res, 100))
  }
  if (r?.type !== 'kv.range.reply') {
    process.stdout.write(`FAILED ${JSON.stringify(r)}\n`)
    process.exit(3)
  }
  const out: Record<string, string> = {}
  for (const kv of r.kvs) out[kv.key] = new TextDecoder().decode(kv.value)
  process.stdout.write(`DATA ${JSON.stringify(out)}\n`)
  await sys.shutdown()
  process.exit(0)
}
