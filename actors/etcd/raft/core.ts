// The Raft state machine (etcd-io/raft style): step(message) and tick() in, ready() out.
// No I/O and no clock: the replica sends ready.early, persists ready.hardState/entries/snapshot,
// calls advance(ready), then sends ready.messages and applies ready.committed. Pre-vote,
// check-quorum, leader transfer, batched and pipelined replication with flow control, batched
// ReadIndex (also for followers), snapshots.
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
  /**
   * Messages that promise nothing about this replica's disk, so they may be sent before this
   * Ready is persisted: a leader's appends and heartbeats (the leader counts its own log towards
   * a commit only once advance() says it is durable), heartbeat replies, pre-votes, a
   * candidate's vote requests (it counts its own vote once persisted), ReadIndex traffic. Also
   * available between Readys through takeEarly().
   */
  early: RaftMessage[]
  /** Messages to send only after this Ready is persisted (append replies, votes granted). */
  messages: RaftMessage[]
  /** Linearizable reads whose read index is known: serve each once `index` is applied. */
  reads: ReadState[]
  /** Reads that will not complete here (leadership or the leader changed): retry them. */
  dropped: number[]
  soft?: SoftState
}

/** A read waiting for a ReadIndex round: one of ours, or a follower's request (`from`, `ctx`). */
interface ReadRequest {
  from: string
  read: number
}

interface ReadRound {
  seq: number
  index: number
  acks: Set<string>
  reqs: ReadRequest[]
}

/** A follower's read-index request in flight to the leader. */
interface RemoteRead {
  ctx: number
  leader: string
  reads: number[]
  ticks: number
}

const EARLY_ALWAYS = new Set<RaftMessage['type']>(['raft.heartbeat.reply', 'raft.read-index', 'raft.read-index.reply'])
const EARLY_FROM_LEADER = new Set<RaftMessage['type']>(['raft.append', 'raft.heartbeat', 'raft.snapshot', 'raft.timeout-now'])

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
  private earlyMsgs: RaftMessage[] = []
  private prevHard: HardState
  private prevSoft: SoftState
  private pendingSnapshot: Snapshot | undefined
  private needBcast = false
  /** The commit index the leader last sent to every follower. */
  private commitSent = 0
  private committedInTerm = false
  /** Read ids handed out by readIndex(). */
  private readSeq = 0
  /** Leader: reads waiting for the next round (at most one round is in flight). */
  private readQueue: ReadRequest[] = []
  private readRound: ReadRound | undefined
  private roundSeq = 0
  private readRoundNeeded = false
  /** Follower: reads waiting for the request in flight to the leader, and that request. */
  private remoteQueue: number[] = []
  private remoteRead: RemoteRead | undefined
  private remoteSeq = 0
  private readyReads: ReadState[] = []
  private droppedReads: number[] = []

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
      this.tickRemoteRead()
      if (this.electionElapsed >= this.randomizedTimeout) this.campaign(this.cfg.preVote ? 'pre' : 'real')
    }
  }

  /**
   * Append commands if leader (and not transferring). Returns the last index, or undefined.
   * The leader's own copy counts towards a commit once advance() reports it durable.
   */
  propose(datas: Uint8Array[]): number | undefined {
    if (this.role !== 'leader' || this.leadTransferee !== '') return undefined
    const entries = datas.map((data, k) => ({ term: this.term, index: this.log.lastIndex() + 1 + k, data }))
    this.log.append(entries)
    this.needBcast = true
    return this.log.lastIndex()
  }

  /**
   * Start a linearizable read: its read index comes in ready().reads with the same `read` (or
   * the id comes back in ready().dropped). The round starts at the next ready()/takeEarly(), for
   * every read started until then; reads that arrive while a round is in flight share the next
   * one. A follower asks its leader, one request for all the reads it has waiting. Undefined when
   * no leader is known.
   */
  readIndex(): number | undefined {
    if (this.role === 'leader') {
      const read = ++this.readSeq
      this.readQueue.push({ from: this.id, read })
      return read
    }
    if (this.role !== 'follower' || this.leader === '') return undefined
    const read = ++this.readSeq
    this.remoteQueue.push(read)
    return read
  }

  /**
   * The replica wrote `rd` (entries, snapshot, hard state) durably. A leader counts its own log
   * towards commits from here on.
   */
  advance(rd: Ready): void {
    if (rd.snapshot) this.log.stableTo(rd.snapshot.meta.index, rd.snapshot.meta.term)
    const last = rd.entries.at(-1)
    if (last) this.log.stableTo(last.index, last.term)
    const hs = rd.hardState
    if (this.role === 'candidate' && hs && hs.term === this.term && hs.vote === this.id && !this.votes.has(this.id)) {
      this.votes.set(this.id, true)
      this.tally()
    }
    if (this.role === 'leader' && this.selfProgress().maybeUpdate(this.log.persisted)) {
      if (this.maybeCommit()) this.needBcast = true
    }
  }

  /** Messages that may go out now, before the Ready being persisted (see Ready.early). */
  takeEarly(): RaftMessage[] {
    this.startReads()
    const out = this.earlyMsgs
    this.earlyMsgs = []
    return out
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
        // The lease ends one tick before the minimum election timeout: replicas' ticks are not
        // in phase, and a candidate whose timeout is the minimum must not be ignored by a voter
        // that lost the same leader a fraction of a tick later.
        const lease = Math.max(this.cfg.heartbeatTicks + 1, this.cfg.electionTicks[0] - 1)
        const inLease = this.cfg.checkQuorum && this.leader !== '' && this.electionElapsed < lease
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
      case 'raft.read-index':
        if (this.role !== 'leader') return
        this.readQueue.push({ from: m.from, read: m.ctx })
        return
      case 'raft.read-index.reply': return this.handleReadIndexReply(m)
      default: {
        const never: never = m
        return never
      }
    }
  }

  // ---- output ----

  hasReady(): boolean {
    return (
      this.msgs.length > 0 || this.earlyMsgs.length > 0 || this.needBcast || this.readRoundNeeded || this.log.hasUnstable() ||
      this.log.hasCommittedToApply() || this.pendingSnapshot !== undefined || this.readyReads.length > 0 ||
      this.droppedReads.length > 0 || this.readsWaiting() || !sameHard(this.prevHard, this.hardState()) ||
      !sameSoft(this.prevSoft, this.softState())
    )
  }

  ready(): Ready {
    if (this.role === 'leader') {
      // A new commit index goes out at once, in an empty append if nothing else is to be sent.
      const commit = this.log.committed > this.commitSent
      if (this.needBcast || commit) for (const p of this.peers) if (p !== this.id) this.sendAppend(p, commit)
      this.commitSent = this.log.committed
    }
    this.needBcast = false
    this.startReads()
    const rd: Ready = {
      entries: this.log.takeUnstable(),
      committed: [],
      early: this.earlyMsgs,
      messages: this.msgs,
      reads: this.readyReads,
      dropped: this.droppedReads,
    }
    if (this.pendingSnapshot) {
      rd.snapshot = this.pendingSnapshot
      this.pendingSnapshot = undefined
    }
    rd.committed = this.log.takeCommitted()
    this.msgs = []
    this.earlyMsgs = []
    this.readyReads = []
    this.droppedReads = []
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
    this.selfProgress().maybeUpdate(this.log.persisted)
    this.commitSent = this.log.committed
    this.propose([new Uint8Array(0)])
    // propose() set needBcast; the empty entry commits the new term.
    this.needBcast = true
  }

  /**
   * A pre-vote counts our own vote at once (it changes nothing). A real campaign sends its vote
   * requests right away, while the new term and our vote for ourselves are being persisted, but
   * counts our own vote, and so can win, only once advance() reports them durable: a candidate
   * that crashed before that restarts in the old term and may vote again in the new one, so it
   * must never have led in it.
   */
  private campaign(kind: 'pre' | 'real' | 'transfer'): void {
    this.electionElapsed = 0
    this.resetRandomizedTimeout()
    const pre = kind === 'pre'
    this.votes = pre ? new Map([[this.id, true]]) : new Map()
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
    if (pre && this.votes.size >= this.quorum()) return this.campaign('real')
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
    if (this.leader !== from) this.dropReads()
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
    this.tally()
  }

  private tally(): void {
    let yes = 0
    let no = 0
    for (const v of this.votes.values()) {
      if (v) yes++
      else no++
    }
    if (yes >= this.quorum() && this.votes.get(this.id) === true) {
      if (this.role === 'precandidate') this.campaign('real')
      else if (this.role === 'candidate') this.becomeLeader()
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

  private handleReadIndexReply(m: Extract<RaftMessage, { type: 'raft.read-index.reply' }>): void {
    const r = this.remoteRead
    if (this.role !== 'follower' || !r || r.ctx !== m.ctx || m.from !== r.leader) return
    this.remoteRead = undefined
    for (const read of r.reads) this.readyReads.push({ read, index: m.index })
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
      this.readRoundNeeded = false
      this.bcastHeartbeat(this.readRound?.seq)
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
    const matches = this.peers.map((p) => this.progress.get(p)?.match ?? 0)
    matches.sort((a, b) => b - a)
    const idx = matches[this.quorum() - 1]
    if (idx > this.log.committed && this.log.term(idx) === this.term) {
      this.log.commitTo(idx)
      this.committedInTerm = true
      return true
    }
    return false
  }

  private selfProgress(): Progress {
    return this.progress.get(this.id) as Progress
  }

  // ---- ReadIndex ----

  /** Leader: start a round for every queued read unless one is in flight (or the term has no commit yet). */
  private maybeStartReadRound(): void {
    if (this.role !== 'leader' || !this.committedInTerm || this.readRound || this.readQueue.length === 0) return
    const round: ReadRound = { seq: ++this.roundSeq, index: this.log.committed, acks: new Set([this.id]), reqs: this.readQueue }
    this.readQueue = []
    if (round.acks.size >= this.quorum()) return this.finishReadRound(round)
    this.readRound = round
    this.readRoundNeeded = true
  }

  /** Reads that could start a round (leader) or a request (follower) now. */
  private readsWaiting(): boolean {
    if (this.role === 'leader') return this.committedInTerm && !this.readRound && this.readQueue.length > 0
    return this.role === 'follower' && this.leader !== '' && !this.remoteRead && this.remoteQueue.length > 0
  }

  /** Start what readIndex() queued, and send the round's heartbeats. */
  private startReads(): void {
    this.maybeStartReadRound()
    this.maybeSendRemoteRead()
    if (this.readRoundNeeded && this.role === 'leader' && this.readRound) this.bcastHeartbeat(this.readRound.seq)
    this.readRoundNeeded = false
  }

  private ackRead(from: string, seq: number): void {
    const round = this.readRound
    if (!round || seq !== round.seq) return
    round.acks.add(from)
    if (round.acks.size < this.quorum()) return
    this.readRound = undefined
    this.finishReadRound(round)
  }

  private finishReadRound(round: ReadRound): void {
    for (const r of round.reqs) {
      if (r.from === this.id) this.readyReads.push({ read: r.read, index: round.index })
      else this.send({ type: 'raft.read-index.reply', term: this.term, from: this.id, to: r.from, ctx: r.read, index: round.index })
    }
  }

  /** Follower: one request to the leader for every waiting read, when none is in flight. */
  private maybeSendRemoteRead(): void {
    if (this.role !== 'follower' || this.leader === '' || this.remoteRead || this.remoteQueue.length === 0) return
    this.remoteRead = { ctx: ++this.remoteSeq, leader: this.leader, reads: this.remoteQueue, ticks: 0 }
    this.remoteQueue = []
    this.send({ type: 'raft.read-index', term: this.term, from: this.id, to: this.leader, ctx: this.remoteSeq })
  }

  /** A request with no answer for two heartbeats is sent again (the message or its answer may be lost). */
  private tickRemoteRead(): void {
    const r = this.remoteRead
    if (!r || ++r.ticks < 2 * this.cfg.heartbeatTicks) return
    r.ticks = 0
    this.send({ type: 'raft.read-index', term: this.term, from: this.id, to: r.leader, ctx: r.ctx })
  }

  /** Leadership or the leader changed: reads in flight here will not complete. */
  private dropReads(): void {
    for (const r of this.readQueue) if (r.from === this.id) this.droppedReads.push(r.read)
    for (const r of this.readRound?.reqs ?? []) if (r.from === this.id) this.droppedReads.push(r.read)
    this.droppedReads.push(...this.remoteQueue, ...(this.remoteRead?.reads ?? []))
    this.readQueue = []
    this.readRound = undefined
    this.readRoundNeeded = false
    this.remoteQueue = []
    this.remoteRead = undefined
  }

  private send(m: RaftMessage): void {
    const early = EARLY_ALWAYS.has(m.type) || (this.role === 'leader' && EARLY_FROM_LEADER.has(m.type)) ||
      m.type === 'raft.vote' || (m.type === 'raft.vote.reply' && m.pre)
    if (early) this.earlyMsgs.push(m)
    else this.msgs.push(m)
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
