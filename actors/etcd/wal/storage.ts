// Durable Raft state of one replica on its Disk: WAL segments (wal-<seq>.log) of hard states and
// entries, and the latest snapshot (snap.bin, written atomically). A new segment starts at each
// snapshot with the log tail after it; older segments are then removed.
import { crc32 } from 'node:zlib'
import { pack, unpack } from 'msgpackr'
import type { Disk } from '../../../runtime/actor.ts'
import type { Entry, HardState, Snapshot } from '../../../protocols/raft.ts'
import { WalCorruptError, decodeRecords, encodeRecords, type WalRecord } from './records.ts'

export interface LoadedState {
  hardState?: HardState
  snapshot?: Snapshot
  entries: Entry[]
  /** A torn last record was found and dropped. */
  tornTail: boolean
}

const SNAP = 'snap.bin'
const segName = (seq: number) => `wal-${seq.toString(16).padStart(16, '0')}.log`
const isSeg = (n: string) => /^wal-[0-9a-f]{16}\.log$/.test(n)

export class RaftStorage {
  private seq = 0
  /** Term and vote last made durable: only a change of these (or new entries) needs an fsync. */
  private synced: { term: number; vote: string } | undefined

  constructor(private readonly disk: Disk, private readonly opts: { fsync: boolean }) {}

  async load(): Promise<LoadedState> {
    const names = await this.disk.list()
    const segs = names.filter(isSeg).sort()
    let snapshot: Snapshot | undefined
    const raw = await this.disk.read(SNAP)
    if (raw) snapshot = decodeSnapshot(raw)
    let hardState: HardState | undefined
    let entries: Entry[] = []
    let tornTail = false
    for (let k = 0; k < segs.length; k++) {
      const name = segs[k]
      const bytes = (await this.disk.read(name)) ?? new Uint8Array(0)
      const d = decodeRecords(name, bytes)
      if (d.torn) {
        if (k !== segs.length - 1) throw new WalCorruptError(name, d.validLength, 'truncated record in a sealed segment')
        await this.disk.truncate(name, d.validLength)
        tornTail = true
      }
      for (const r of d.records) {
        if (r.t === 'hs') hardState = r.hs
        else if (r.t === 'ent') {
          for (const e of r.entries) {
            const first = entries.length > 0 ? entries[0].index : e.index
            if (entries.length > 0 && e.index <= entries[entries.length - 1].index) entries = entries.slice(0, Math.max(0, e.index - first))
            if (entries.length > 0 && e.index !== entries[entries.length - 1].index + 1) entries = []
            entries.push(normalize(e))
          }
        }
      }
      this.seq = parseInt(name.slice(4, 20), 16)
    }
    if (snapshot) {
      const si = snapshot.meta.index
      entries = entries.filter((e) => e.index > si)
      if (entries.length > 0 && entries[0].index !== si + 1) entries = []
    }
    if (segs.length === 0) this.seq = 0
    // What was read may never have been synced (a crash between write and fsync): sync the next hard state.
    this.synced = undefined
    return { hardState, snapshot, entries, tornTail }
  }

  /**
   * Append a Ready's hard state and entries, then fsync (group commit: one sync per Ready). As in
   * etcd's WAL, a hard state whose only change is the commit index is written without an fsync:
   * the commit index is learned again from the leader, and entries are synced before they count.
   */
  async save(hs: HardState | undefined, entries: Entry[], at: (point: 'after-wal-append' | 'after-fsync') => void = () => {}): Promise<void> {
    const rs: WalRecord[] = []
    if (entries.length > 0) rs.push({ t: 'ent', entries })
    if (hs) rs.push({ t: 'hs', hs })
    if (rs.length === 0) return
    const name = await this.current()
    await this.disk.append(name, encodeRecords(rs))
    at('after-wal-append')
    const mustSync = entries.length > 0 || (hs !== undefined && (this.synced === undefined || hs.term !== this.synced.term || hs.vote !== this.synced.vote))
    if (!mustSync) return
    if (this.opts.fsync) await this.disk.sync(name)
    if (hs) this.synced = { term: hs.term, vote: hs.vote }
    at('after-fsync')
  }

  /** Persist a snapshot, start a new segment holding `hs` and the log tail, drop older ones. */
  async saveSnapshot(snap: Snapshot, hs: HardState, tail: Entry[]): Promise<void> {
    await this.disk.writeAtomic(SNAP, encodeSnapshot(snap))
    const old = (await this.disk.list()).filter(isSeg)
    this.seq++
    const name = segName(this.seq)
    const rs: WalRecord[] = [{ t: 'snap', meta: snap.meta }, { t: 'hs', hs }]
    if (tail.length > 0) rs.push({ t: 'ent', entries: tail })
    await this.disk.append(name, encodeRecords(rs))
    await this.disk.sync(name)
    this.synced = { term: hs.term, vote: hs.vote }
    for (const n of old) if (n !== name) await this.disk.remove(n)
  }

  private async current(): Promise<string> {
    if (this.seq === 0) this.seq = 1
    return segName(this.seq)
  }
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  const body = pack(s)
  const out = new Uint8Array(4 + body.length)
  new DataView(out.buffer).setUint32(0, crc32(body) >>> 0, true)
  out.set(body, 4)
  return out
}

export function decodeSnapshot(raw: Uint8Array): Snapshot {
  const body = raw.subarray(4)
  const want = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(0, true)
  if (raw.length < 4 || (crc32(body) >>> 0) !== want) throw new WalCorruptError(SNAP, 0, 'snapshot checksum mismatch')
  const s = unpack(body) as Snapshot
  return { meta: s.meta, data: new Uint8Array(s.data) }
}

function normalize(e: Entry): Entry {
  return e.data === undefined ? { term: e.term, index: e.index } : { term: e.term, index: e.index, data: new Uint8Array(e.data) }
}
