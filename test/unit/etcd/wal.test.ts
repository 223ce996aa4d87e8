import t from 'tap'
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemDisk } from '../../../runtime/sim/mem-disk.ts'
import { NodeDisk } from '../../../runtime/disk/node-disk.ts'
import { RaftStorage } from '../../../actors/etcd/wal/storage.ts'
import { decodeRecords, encodeRecord, WalCorruptError } from '../../../actors/etcd/wal/records.ts'
import type { Entry } from '../../../protocols/raft.ts'

const ent = (index: number, term = 1): Entry => ({ index, term, data: new TextEncoder().encode(`e${index}`) })

t.test('records: round trip, torn tail dropped, mid-file corruption names file and offset', async (t) => {
  const a = encodeRecord({ t: 'hs', hs: { term: 1, vote: 'x', commit: 0 } })
  const b = encodeRecord({ t: 'ent', entries: [ent(1)] })
  const all = new Uint8Array([...a, ...b])
  t.same(decodeRecords('w', all).records.length, 2)
  const torn = all.slice(0, all.length - 3)
  const d = decodeRecords('w', torn)
  t.ok(d.torn)
  t.equal(d.validLength, a.length)
  t.equal(d.records.length, 1)
  const tailFlip = all.slice()
  tailFlip[all.length - 1] ^= 0xff
  t.ok(decodeRecords('w', tailFlip).torn, 'bad checksum on the last record = torn write')
  const mid = all.slice()
  mid[a.length - 1] ^= 0xff
  let err: unknown
  try {
    decodeRecords('wal-1.log', mid)
  } catch (e) {
    err = e
  }
  t.ok(err instanceof WalCorruptError)
  t.equal((err as WalCorruptError).code, 'WAL_CORRUPT')
  t.equal((err as WalCorruptError).offset, 0)
  t.match((err as Error).message, /wal-1\.log.*offset 0/)
})

t.test('storage on MemDisk: only synced data survives a crash; overwrites truncate; snapshot compacts', async (t) => {
  const disk = new MemDisk()
  const st = new RaftStorage(disk, { fsync: true })
  t.same(await st.load(), { hardState: undefined, snapshot: undefined, entries: [], tornTail: false })
  await st.save({ term: 1, vote: 'a', commit: 0 }, [ent(1), ent(2), ent(3)])
  await st.save({ term: 2, vote: 'b', commit: 1 }, [ent(2, 2)])
  await disk.append('wal-0000000000000001.log', new Uint8Array([1, 2, 3])) // unsynced garbage
  disk.crash()
  const s2 = new RaftStorage(disk, { fsync: true })
  const l = await s2.load()
  t.same(l.hardState, { term: 2, vote: 'b', commit: 1 })
  t.same(l.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 2]], 'entry 2 overwritten, 3 truncated')
  await s2.saveSnapshot({ meta: { index: 1, term: 1 }, data: new Uint8Array([9]) }, { term: 2, vote: 'b', commit: 1 }, [ent(2, 2)])
  const names = await disk.list()
  t.same(names, ['snap.bin', 'wal-0000000000000002.log'])
  await s2.save(undefined, [ent(3, 2)])
  const l3 = await new RaftStorage(disk, { fsync: true }).load()
  t.same(l3.snapshot?.meta, { index: 1, term: 1 })
  t.same(l3.entries.map((e) => e.index), [2, 3])
})

t.test('storage: a hard state that only moves the commit index is written without an fsync; term, vote and entries are synced', async (t) => {
  const disk = new MemDisk()
  let syncs = 0
  const sync = disk.sync.bind(disk)
  disk.sync = async (n: string) => {
    syncs++
    return sync(n)
  }
  const st = new RaftStorage(disk, { fsync: true })
  await st.load()
  await st.save({ term: 1, vote: 'a', commit: 0 }, [ent(1), ent(2)])
  t.equal(syncs, 1, 'entries: synced')
  await st.save({ term: 1, vote: 'a', commit: 2 }, [])
  t.equal(syncs, 1, 'commit index only: not synced')
  await st.save({ term: 2, vote: 'a', commit: 2 }, [])
  t.equal(syncs, 2, 'new term: synced')
  await st.save({ term: 2, vote: 'b', commit: 2 }, [])
  t.equal(syncs, 3, 'new vote: synced')
  await st.save({ term: 2, vote: 'b', commit: 3 }, [])
  disk.crash()
  const l = await new RaftStorage(disk, { fsync: true }).load()
  t.same(l.hardState, { term: 2, vote: 'b', commit: 2 }, 'a crash may lose only the last commit index')
  t.same(l.entries.map((e) => e.index), [1, 2])
  const again = new RaftStorage(disk, { fsync: true })
  await again.load()
  await again.save({ term: 2, vote: 'b', commit: 2 }, [])
  t.equal(syncs, 4, 'after loading, the first hard state is synced (what was read may not have been)')
})

t.test('storage on NodeDisk: torn tail truncated on load; corruption in the middle is an error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-wal-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const disk = new NodeDisk(dir, { fsync: true })
  const st = new RaftStorage(disk, { fsync: true })
  await st.load()
  for (let i = 1; i <= 5; i++) await st.save({ term: 1, vote: '', commit: i - 1 }, [ent(i)])
  await disk.close()
  const seg = join(dir, readdirSync(dir).find((n) => n.startsWith('wal-'))!)
  const full = readFileSync(seg)
  writeFileSync(seg, full.subarray(0, full.length - 5))
  const l = await new RaftStorage(new NodeDisk(dir, { fsync: true }), { fsync: true }).load()
  t.ok(l.tornTail)
  t.same(l.entries.map((e) => e.index), [1, 2, 3, 4, 5], 'the last save wrote entries, then the (torn) hard state')
  t.same(l.hardState, { term: 1, vote: '', commit: 3 })
  t.ok(readFileSync(seg).length < full.length - 5, 'file truncated to the last whole record')
  const bytes = readFileSync(seg)
  bytes[20] ^= 0xff
  writeFileSync(seg, bytes)
  await t.rejects(new RaftStorage(new NodeDisk(dir, { fsync: true }), { fsync: true }).load(), { code: 'WAL_CORRUPT' })
})

t.test('NodeDisk: writeAtomic replaces, list hides temp files, remove is idempotent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nodedisk-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const d = new NodeDisk(join(dir, 'a'), { fsync: true })
  t.same(await d.list(), [])
  await d.writeAtomic('x', new Uint8Array([1]))
  await d.writeAtomic('x', new Uint8Array([2, 3]))
  t.same([...(await d.read('x'))!], [2, 3])
  await d.append('y', new Uint8Array([4]))
  await d.append('y', new Uint8Array([5]))
  await d.sync('y')
  t.same([...(await d.read('y'))!], [4, 5])
  await d.truncate('y', 1)
  t.same([...(await d.read('y'))!], [4])
  t.same(await d.list(), ['x', 'y'])
  await d.remove('y')
  await d.remove('y')
  t.equal(await d.read('y'), undefined)
  await d.close()
})
