// The in-memory Raft log of one replica: a compacted prefix (snapshot index/term), the entries
// after it, the commit and applied indexes, and which entries are not yet persisted.
import type { Entry, Snapshot } from '../../../protocols/raft.ts'

/**
 * The entry with its data in a buffer of its own. Data decoded from a message or a WAL segment,
 * or packed by msgpackr, is a view into the whole batch, file or working buffer: kept in the log,
 * and then as the values the store applies from it, one small entry would keep megabytes alive.
 */
export function ownData(e: Entry): Entry {
  const d = e.data
  if (d === undefined || (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength)) return e
  return { ...e, data: new Uint8Array(d) }
}

export class RaftLog {
  snapIndex = 0
  snapTerm = 0
  entries: Entry[] = []
  committed = 0
  applied = 0
  /** Entries from this index on have changed since the last Ready and must be written. */
  unstableFrom = 1
  /** The last index known durable on this replica's disk (set by Raft.advance). */
  persisted = 0

  constructor(snap?: { index: number; term: number }, entries: Entry[] = []) {
    if (snap) {
      this.snapIndex = snap.index
      this.snapTerm = snap.term
      this.committed = snap.index
      this.applied = snap.index
    }
    this.entries = entries.filter((e) => e.index > this.snapIndex).map(ownData)
    this.unstableFrom = this.lastIndex() + 1
    this.persisted = this.lastIndex()
  }

  firstIndex(): number {
    return this.snapIndex + 1
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) as number
  }

  /** The term of entry i, or undefined if it is compacted away or beyond the end. */
  term(i: number): number | undefined {
    if (i === this.snapIndex) return this.snapTerm
    if (i < this.snapIndex || i > this.lastIndex()) return undefined
    return this.entries[i - this.snapIndex - 1].term
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term
  }

  /** Entries [lo, hi] inclusive (lo must be >= firstIndex). */
  slice(lo: number, hi: number, maxEntries = Infinity): Entry[] {
    if (lo > hi) return []
    const from = lo - this.snapIndex - 1
    const to = Math.min(hi - this.snapIndex, from + maxEntries)
    return this.entries.slice(from, to)
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm()
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex())
  }

  /** Leader append: entries continue the log. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return
    this.truncateAndAppend(entries)
  }

  /**
   * Follower append (AppendEntries). Returns the last new index, or undefined when prev does not
   * match. Entries already present with the same term are kept; the first conflict truncates.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, entries: Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) {
      // prev compacted away: entries up to snapIndex are committed and equal by safety.
      if (prevIndex < this.snapIndex) {
        const rest = entries.filter((e) => e.index > this.snapIndex)
        if (rest.length === 0) return this.snapIndex
        if (rest[0].index !== this.snapIndex + 1) return undefined
        return this.maybeAppend(this.snapIndex, this.snapTerm, commit, rest)
      }
      return undefined
    }
    const lastNew = prevIndex + entries.length
    let conflict = -1
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k]
      if (this.term(e.index) !== e.term) {
        conflict = k
        break
      }
    }
    if (conflict >= 0) {
      const first = entries[conflict]
      if (first.index <= this.committed) throw new Error(`raft: conflict at committed index ${first.index}`)
      this.truncateAndAppend(entries.slice(conflict))
    }
    this.commitTo(Math.min(commit, lastNew))
    return lastNew
  }

  commitTo(i: number): void {
    if (i > this.committed) {
      if (i > this.lastIndex()) throw new Error(`raft: commit ${i} beyond last index ${this.lastIndex()}`)
      this.committed = i
    }
  }

  /** Committed entries not yet handed out for applying; marks them applied. */
  takeCommitted(maxEntries = Infinity): Entry[] {
    if (this.committed <= this.applied) return []
    const out = this.slice(Math.max(this.applied + 1, this.firstIndex()), this.committed, maxEntries)
    if (out.length > 0) this.applied = out[out.length - 1].index
    return out
  }

  hasCommittedToApply(): boolean {
    return this.committed > this.applied
  }

  /** Entries to persist since the last call; marks them stable. */
  takeUnstable(): Entry[] {
    if (this.unstableFrom > this.lastIndex()) return []
    const out = this.slice(Math.max(this.unstableFrom, this.firstIndex()), this.lastIndex())
    this.unstableFrom = this.lastIndex() + 1
    return out
  }

  hasUnstable(): boolean {
    return this.unstableFrom <= this.lastIndex()
  }

  /** Drop entries up to `index` (already in a snapshot). */
  compact(index: number): void {
    if (index <= this.snapIndex) return
    if (index > this.applied) throw new Error(`raft: compact ${index} beyond applied ${this.applied}`)
    const term = this.term(index) as number
    this.entries = this.entries.slice(index - this.snapIndex)
    this.snapIndex = index
    this.snapTerm = term
  }

  /** Replace the whole log by a snapshot received from the leader. */
  restore(s: Snapshot): void {
    this.snapIndex = s.meta.index
    this.snapTerm = s.meta.term
    this.entries = []
    this.committed = s.meta.index
    this.applied = s.meta.index
    this.unstableFrom = s.meta.index + 1
    this.persisted = Math.min(this.persisted, s.meta.index)
  }

  /** Entries up to `index` with `term` at `index` have been written durably. */
  stableTo(index: number, term: number): void {
    if (this.term(index) === term && index > this.persisted) this.persisted = index
  }

  private truncateAndAppend(entries: Entry[]): void {
    const first = entries[0].index
    if (first <= this.snapIndex) throw new Error(`raft: append at ${first} below snapshot ${this.snapIndex}`)
    if (first > this.lastIndex() + 1) throw new Error(`raft: gap: append at ${first} after ${this.lastIndex()}`)
    this.entries = this.entries.slice(0, first - this.snapIndex - 1).concat(entries.map(ownData))
    if (first < this.unstableFrom) this.unstableFrom = first
    if (first <= this.persisted) this.persisted = first - 1
  }
}
