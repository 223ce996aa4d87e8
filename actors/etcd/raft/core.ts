// The Raft state machine (etcd-io/raft style): step(message) and tick() in, ready() out.
// No I/O and no clock: the replica persists ready.hardState/entries/snapshot, then sends
// ready.messages, then applies ready.committed. Pre-vote, check-quorum, leader transfer,
// batched and pipelined replication with flow control, ReadIndex, snapshots.
import type { Entry, HardState, RaftMessage, Snapshot } from '../../../protocols/raft.ts'
import { RaftLog } from './log.ts'
import { Progress } from './progress.ts'

export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader'

export interface RaftConfig {
  id: string
  /** Every member, this one included. */
  peers: string[]
  heartbeatTicks: number
  /** Randomized election timeout range in ticks, [min, max]. */
  electionTicks: [number, number]
  random: () => number
  preVote?: boolean
  checkQuorum?: boolean
  /** Appends in flight per follower in replicate state. */
  maxInflight?: number
  maxEntriesPerMsg?: number
}

export interface RaftInit {
  hardState?: HardState
  snapshot?: Snapshot
  entries?: Entry[]
}

export interface SoftState {
  role: Role
  leader: string
  term: number
}

export interface ReadState {
  read: number
  index: number
}

export interface Ready {
  hardState?: HardState
  /** Write these; an entry at index i replaces any persisted entry >= i. */
  entries: Entry[]
  /** A snapshot from the leader to persist and restore before applying. */
  snapshot?: Snapshot
  committed: Entry[]
  messages: RaftMessage[]
  reads: ReadState[]
  soft?: SoftState
}

interface PendingRead {
  read: number
  index: number
  acks: Set<string>
}

export class Raft {
  readonly id: string
  readonly peers: string[]
  term = 0
  vote = ''
  leader = ''
  role: Role = 'follower'
  readonly log: RaftLog
  /** The latest local snapshot, sent to followers that are too far behind. */
  snapshot: Snapshot | undefined
  readonly progress = new Map<string, Progress>()
  leadTransferee = ''

  private readonly cfg: Required<RaftConfig>
  private electionElapsed = 0
  private heartbeatElapsed = 0
  private randomizedTimeout = 0
  private votes = new Map<string, boolean>()
  private msgs: RaftMessage[] = []
  private prevHard: HardState
  private prevSoft: SoftState
  private pendingSnapshot: Snapshot | undefined
  private needBcast = false
  private committedInTerm = false
  private readSeq = 0
  private readRoundNeeded = false
  private waitingReads: number[] = []
  private pendingReads: PendingRead[] = []
  private readyReads: ReadState[] = []

  constructor(cfg: RaftConfig, init: RaftInit = {}) {
    this.cfg = { preVote: true, checkQuorum: true, maxInflight: 256, maxEntriesPerMsg: 512, ...cfg }
    this.id = cfg.id
    this.peers = [...cfg.peers]
    const s = init.snapshot
    this.snapshot = s
    this.log = new RaftLog(s ? { index: s.meta.index, term: s.meta.term } : undefined, init.entries ?? [])
    if (init.hardState) {
      this.term = init.hardState.term
      this.vote = init.hardState.vote
      const c = Math.min(init.hardState.commit, this.log.lastIndex())
      if (c > this.log.committed) this.log.committed = c
    }
    this.prevHard = this.hardState()
    this.prevSoft = this.softState()
    this.resetRandomizedTimeout()
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }

  softState(): SoftState {
    return { role: this.role, leader: this.leader, term: this.term }
  }

  quorum(): number {
    return Math.floor(this.peers.length / 2) + 1
  }

  // ---- inputs ----

  tick(): void {
    if (this.role === 'leader') this.tickLeader()
    else {
      this.electionElapsed++
      if (this.electionElapsed >= this.randomizedTimeout) this.campaign(this.cfg.preVote ? 'pre' : 'real')
    }
  }

  /** Append commands if leader (and not transferring). Returns the last index, or undefined. */
  propose(datas: Uint8Array[]): number | undefined {
    if (this.role !== 'leader' || this.leadTransferee !== '') return undefined
    const entries = datas.map((data, k) => ({ term: this.term, index: this.log.lastIndex() + 1 + k, data }))
    this.log.append(entries)
    this.selfProgress().maybeUpdate(this.log.lastIndex())
    this.needBcast = true
    if (this.peers.length === 1) this.maybeCommit()
    return this.log.lastIndex()
  }

  /** Start a linearizable read: the result comes in ready().reads with the same `read`. */
  readIndex(): number | undefined {
    if (this.role !== 'leader') return undefined
    const read = ++this.readSeq
    if (!this.committedInTerm) this.waitingReads.push(read)
    else this.startRead(read)
    return read
  }

  transferLeader(to: string): boolean {
    if (this.role !== 'leader' || to === this.id || !this.progress.has(to)) return false
    this.leadTransferee = to
    this.electionElapsed = 0
    const pr = this.progress.get(to) as Progress
    if (pr.match === this.log.lastIndex()) this.send({ type: 'raft.timeout-now', term: this.term, from: this.id, to })
    else this.sendAppend(to, true)
    return true
  }

  /** The application took a snapshot at `index` (applied): compact the log up to it. */
  compact(index: number, data: Uint8Array): void {
    const term = this.log.term(index)
    if (term === undefined) return
    this.snapshot = { meta: { index, term }, data }
    this.log.compact(index)
  }

  step(m: RaftMessage): void {
    if (m.to !== this.id || !this.peers.includes(m.from)) return
    if (m.term > this.term) {
      if (m.type === 'raft.vote') {
        const inLease = this.cfg.checkQuorum && this.leader !== '' && this.electionElapsed < this.cfg.electionTicks[0]
        if (inLease && !m.transfer) return
      }
      if (m.type === 'raft.vote' && m.pre) {
        // A pre-vote never changes our term.
      } else if (m.type === 'raft.vote.reply' && m.pre && m.granted) {
        // Granted pre-votes carry the proposed term.
      } else {
        const fromLeader = m.type === 'raft.append' || m.type === 'raft.heartbeat' || m.type === 'raft.snapshot'
        this.becomeFollower(m.term, fromLeader ? m.from : '')
      }
    } else if (m.term < this.term) {
      if (m.type === 'raft.append' || m.type === 'raft.heartbeat') {
        // A deposed leader learns the new term and steps down.
        this.send({ type: 'raft.heartbeat.reply', term: this.term, from: this.id, to: m.from, lastIndex: this.log.lastIndex() })
      } else if (m.type === 'raft.vote' && m.pre) {
        this.send({ type: 'raft.vote.reply', term: this.term, from: this.id, to: m.from, pre: true, granted: false })
      }
      return
    }

    switch (m.type) {
      case 'raft.vote': return this.handleVote(m)
      case 'raft.vote.reply': return this.handleVoteReply(m)
      case 'raft.append':
        this.followLeader(m.from)
        return this.handleAppend(m)
      case 'raft.heartbeat':
        this.followLeader(m.from)
        this.log.commitTo(Math.min(m.commit, this.log.lastIndex()))
        this.send({ type: 'raft.heartbeat.reply', term: this.term, from: this.id, to: m.from, read: m.read, lastIndex: this.log.lastIndex() })
        return
      case 'raft.snapshot':
        this.followLeader(m.from)
        return this.handleSnapshot(m.from, m.snapshot)
      case 'raft.timeout-now':
        if (this.role !== 'leader') this.campaign('transfer')
        return
      case 'raft.append.reply': return this.handleAppendReply(m)
      case 'raft.heartbeat.reply': return this.handleHeartbeatReply(m)
      default: {
        const never: never = m
        return never
      }
    }
  }

  // ---- output ----

  hasReady(): boolean {
    return (
      this.msgs.length > 0 || this.needBcast || this.readRoundNeeded || this.log.hasUnstable() ||
      this.log.hasCommittedToApply() || this.pendingSnapshot !== undefined || this.readyReads.length > 0 ||
      !sameHard(this.prevHard, this.hardState()) || !sameSoft(this.prevSoft, this.softState())
    )
  }

  ready(): Ready {
    if (this.needBcast && this.role === 'leader') {
      for (const p of this.peers) if (p !== this.id) this.sendAppend(p, false)
    }
    this.needBcast = false
    if (this.readRoundNeeded && this.role === 'leader') this.bcastHeartbeat(this.readSeq)
    this.readRoundNeeded = false
    const rd: Ready = {
      entries: this.log.takeUnstable(),
      committed: [],
      messages: this.msgs,
      reads: this.readyReads,
    }
    if (this.pendingSnapshot) {
      rd.snapshot = this.pendingSnapshot
      this.pendingSnapshot = undefined
    }
    rd.committed = this.log.takeCommitted()
    this.msgs = []
    this.readyReads = []
    const hs = this.hardState()
    if (!sameHard(this.prevHard, hs)) rd.hardState = hs
    this.prevHard = hs
    const ss = this.softState()
    if (!sameSoft(this.prevSoft, ss)) rd.soft = ss
    this.prevSoft = ss
    return rd
  }

  // ---- roles ----

  private becomeFollower(term: number, leader: string): void {
    if (term > this.term) {
      this.term = term
      this.vote = ''
    }
    this.role = 'follower'
    this.leader = leader
    this.leadTransferee = ''
    this.electionElapsed = 0
    this.resetRandomizedTimeout()
    this.dropReads()
  }

  private becomeLeader(): void {
    this.role = 'leader'
    this.leader = this.id
    this.leadTransferee = ''
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.committedInTerm = false
    this.progress.clear()
    for (const p of this.peers) this.progress.set(p, new Progress(this.log.lastIndex() + 1))
    this.selfProgress().recentActive = true
    this.propose([new Uint8Array(0)])
    // propose() set needBcast; the empty entry commits the new term.
    this.needBcast = true
  }

  private campaign(kind: 'pre' | 'real' | 'transfer'): void {
    this.electionElapsed = 0
    this.resetRandomizedTimeout()
    this.votes = new Map([[this.id, true]])
    const pre = kind === 'pre'
    if (pre) {
      this.role = 'precandidate'
      this.leader = ''
    } else {
      this.role = 'candidate'
      this.term++
      this.vote = this.id
      this.leader = ''
    }
    this.dropReads()
    if (this.votes.size >= this.quorum()) {
      if (pre) this.campaign('real')
      else this.becomeLeader()
      return
    }
    for (const p of this.peers) {
      if (p === this.id) continue
      this.send({
        type: 'raft.vote', term: pre ? this.term + 1 : this.term, from: this.id, to: p, pre,
        transfer: kind === 'transfer' ? true : undefined,
        lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm(),
      })
    }
  }

  private followLeader(from: string): void {
    if (this.role !== 'follower') this.becomeFollower(this.term, from)
    this.leader = from
    this.electionElapsed = 0
  }

  // ---- handlers ----

  private handleVote(m: Extract<RaftMessage, { type: 'raft.vote' }>): void {
    const canVote = this.vote === m.from || (this.vote === '' && this.leader === '') || (m.pre && m.term > this.term)
    const granted = canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)
    this.send({ type: 'raft.vote.reply', term: granted ? m.term : this.term, from: this.id, to: m.from, pre: m.pre, granted })
    if (granted && !m.pre) {
      this.vote = m.from
      this.electionElapsed = 0
    }
  }

  private handleVoteReply(m: Extract<RaftMessage, { type: 'raft.vote.reply' }>): void {
    const want = m.pre ? 'precandidate' : 'candidate'
    if (this.role !== want) return
    this.votes.set(m.from, m.granted)
    let yes = 0
    let no = 0
    for (const v of this.votes.values()) {
      if (v) yes++
      else no++
    }
    if (yes >= this.quorum()) {
      if (m.pre) this.campaign('real')
      else this.becomeLeader()
    } else if (no >= this.quorum()) {
      this.becomeFollower(this.term, '')
    }
  }

  private handleAppend(m: Extract<RaftMessage, { type: 'raft.append' }>): void {
    const reply = (success: boolean, index: number, rejected?: number) =>
      this.send({ type: 'raft.append.reply', term: this.term, from: this.id, to: m.from, success, index, rejected })
    if (m.prevIndex < this.log.committed) {
      // Everything up to commit matches; accept the tail beyond it.
      const rest = m.entries.filter((e) => e.index > this.log.committed)
      if (rest.length === 0) return reply(true, this.log.committed)
      const prev = rest[0].index - 1
      const last = this.log.maybeAppend(prev, this.log.term(prev) as number, m.commit, rest)
      return reply(true, last ?? this.log.committed)
    }
    const last = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries)
    if (last !== undefined) return reply(true, last)
    // Reject with a hint: our last index, or the start of the conflicting term.
    let hint = Math.min(m.prevIndex - 1, this.log.lastIndex())
    const t = this.log.term(hint)
    if (t !== undefined && t > m.prevTerm) {
      while (hint > this.log.committed && (this.log.term(hint) as number) > m.prevTerm) hint--
    }
    reply(false, hint, m.prevIndex)
  }

  private handleSnapshot(from: string, s: Snapshot): void {
    const reply = (index: number) =>
      this.send({ type: 'raft.append.reply', term: this.term, from: this.id, to: from, success: true, index })
    if (s.meta.index <= this.log.committed) return reply(this.log.committed)
    if (this.log.matchTerm(s.meta.index, s.meta.term)) {
      this.log.commitTo(s.meta.index)
      return reply(s.meta.index)
    }
    this.log.restore(s)
    this.snapshot = s
    this.pendingSnapshot = s
    reply(s.meta.index)
  }

  private handleAppendReply(m: Extract<RaftMessage, { type: 'raft.append.reply' }>): void {
    if (this.role !== 'leader') return
    const pr = this.progress.get(m.from)
    if (!pr) return
    pr.recentActive = true
    if (!m.success) {
      if (m.rejected !== undefined && m.rejected <= pr.match) return // stale
      if (pr.state === 'replicate') pr.becomeProbe()
      else if (pr.state === 'probe') {
        pr.next = Math.max(pr.match + 1, Math.min(m.index + 1, pr.next - 1))
        pr.probeSent = false
      }
      this.sendAppend(m.from, true)
      return
    }
    const updated = pr.maybeUpdate(m.index)
    if (pr.state === 'probe') pr.becomeReplicate()
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe()
    if (updated) {
      if (this.maybeCommit()) this.needBcast = true
      if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
        this.send({ type: 'raft.timeout-now', term: this.term, from: this.id, to: m.from })
      }
    }
    while (this.sendAppend(m.from, false)) { /* fill the window */ }
  }

  private handleHeartbeatReply(m: Extract<RaftMessage, { type: 'raft.heartbeat.reply' }>): void {
    if (this.role !== 'leader') return
    const pr = this.progress.get(m.from)
    if (!pr) return
    pr.recentActive = true
    pr.probeSent = false
    if (pr.match < this.log.lastIndex() || m.lastIndex < pr.match) {
      if (pr.state === 'replicate' && m.lastIndex < pr.match) pr.becomeProbe()
      this.sendAppend(m.from, true)
    }
    if (m.read !== undefined) this.ackRead(m.from, m.read)
  }

  // ---- leader helpers ----

  private tickLeader(): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue
      if (pr.state === 'replicate' && pr.inflight.length > 0 && ++pr.stallTicks > 2 * this.cfg.heartbeatTicks + 2) pr.becomeProbe()
      if (pr.state === 'snapshot' && ++pr.snapshotTicks > this.cfg.electionTicks[0]) pr.becomeProbe()
    }
    if (this.electionElapsed >= this.cfg.electionTicks[0]) {
      this.electionElapsed = 0
      if (this.cfg.checkQuorum) {
        let active = 0
        for (const [id, pr] of this.progress) {
          if (id === this.id || pr.recentActive) active++
          pr.recentActive = false
        }
        if (active < this.quorum()) {
          this.becomeFollower(this.term, '')
          return
        }
      }
      this.leadTransferee = '' // a transfer that did not finish in an election timeout is aborted
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0
      this.bcastHeartbeat(this.pendingReads.length > 0 ? this.readSeq : undefined)
    }
  }

  private bcastHeartbeat(read: number | undefined): void {
    for (const p of this.peers) {
      if (p === this.id) continue
      const pr = this.progress.get(p) as Progress
      this.send({ type: 'raft.heartbeat', term: this.term, from: this.id, to: p, commit: Math.min(pr.match, this.log.committed), read })
    }
  }

  /** Send one append (or a snapshot) to `to` if flow control allows. True if something was sent. */
  private sendAppend(to: string, allowEmpty: boolean): boolean {
    const pr = this.progress.get(to)
    if (!pr || to === this.id) return false
    if (pr.state === 'snapshot') return false
    if (pr.state === 'probe' && pr.probeSent) return false
    if (pr.state === 'replicate' && pr.inflight.length >= this.cfg.maxInflight) return false
    const prevIndex = pr.next - 1
    const prevTerm = this.log.term(prevIndex)
    if (prevTerm === undefined) {
      if (!this.snapshot) return false
      pr.becomeSnapshot(this.snapshot.meta.index)
      this.send({ type: 'raft.snapshot', term: this.term, from: this.id, to, snapshot: this.snapshot })
      return true
    }
    const entries = this.log.slice(pr.next, this.log.lastIndex(), this.cfg.maxEntriesPerMsg)
    if (entries.length === 0 && !allowEmpty) return false
    this.send({ type: 'raft.append', term: this.term, from: this.id, to, prevIndex, prevTerm, entries, commit: this.log.committed })
    if (pr.state === 'replicate' && entries.length > 0) {
      const last = entries[entries.length - 1].index
      pr.next = last + 1
      pr.inflight.push(last)
    } else if (pr.state === 'probe') {
      pr.probeSent = true
    }
    return entries.length > 0 && pr.state === 'replicate'
  }

  private maybeCommit(): boolean {
    const matches = this.peers.map((p) => (p === this.id ? this.log.lastIndex() : (this.progress.get(p)?.match ?? 0)))
    matches.sort((a, b) => b - a)
    const idx = matches[this.quorum() - 1]
    if (idx > this.log.committed && this.log.term(idx) === this.term) {
      this.log.commitTo(idx)
      if (!this.committedInTerm) {
        this.committedInTerm = true
        for (const r of this.waitingReads) this.startRead(r)
        this.waitingReads = []
      }
      return true
    }
    return false
  }

  private selfProgress(): Progress {
    return this.progress.get(this.id) as Progress
  }

  // ---- ReadIndex ----

  private startRead(read: number): void {
    const pr: PendingRead = { read, index: this.log.committed, acks: new Set([this.id]) }
    if (pr.acks.size >= this.quorum()) {
      this.readyReads.push({ read, index: pr.index })
      return
    }
    this.pendingReads.push(pr)
    this.readRoundNeeded = true
  }

  private ackRead(from: string, read: number): void {
    for (const p of this.pendingReads) if (p.read <= read) p.acks.add(from)
    while (this.pendingReads.length > 0 && this.pendingReads[0].acks.size >= this.quorum()) {
      const p = this.pendingReads.shift() as PendingRead
      this.readyReads.push({ read: p.read, index: p.index })
    }
  }

  private dropReads(): void {
    this.pendingReads = []
    this.waitingReads = []
  }

  private send(m: RaftMessage): void {
    this.msgs.push(m)
  }

  private resetRandomizedTimeout(): void {
    const [lo, hi] = this.cfg.electionTicks
    this.randomizedTimeout = lo + Math.floor(this.cfg.random() * (hi - lo + 1))
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leader === b.leader && a.term === b.term
}
