// A tiny in-memory network of Raft cores for unit tests: each step delivers queued messages,
// "persists" (keeps) the log and applies committed entries in order.
import { Raft, type RaftConfig } from '../../../actors/etcd/raft/core.ts'
import type { Entry, RaftMessage } from '../../../protocols/raft.ts'
import { seededRandom } from '../../../runtime/random.ts'

export class RaftNet {
  readonly nodes = new Map<string, Raft>()
  readonly applied = new Map<string, Entry[]>()
  readonly leaders = new Map<number, string>()
  readonly reads: Array<{ id: string; read: number; index: number }> = []
  readonly dropped: Array<{ id: string; read: number }> = []
  /** Every message sent, for tests that count them. */
  readonly sent: RaftMessage[] = []
  queue: RaftMessage[] = []
  drop: (m: RaftMessage) => boolean = () => false
  readonly rng: () => number

  constructor(readonly ids: string[], seed = 1, over: Partial<RaftConfig> = {}) {
    this.rng = seededRandom(seed)
    for (const id of ids) {
      this.nodes.set(id, new Raft({ id, peers: ids, heartbeatTicks: 1, electionTicks: [10, 20], random: this.rng, ...over }))
      this.applied.set(id, [])
    }
  }

  node(id: string): Raft {
    return this.nodes.get(id) as Raft
  }

  leader(): string | undefined {
    const ls = [...this.nodes.values()].filter((n) => n.role === 'leader')
    ls.sort((a, b) => b.term - a.term)
    return ls[0]?.id
  }

  /** Process every node's Ready and deliver messages until nothing moves. */
  stabilize(maxRounds = 1000): void {
    for (let r = 0; r < maxRounds; r++) {
      let moved = false
      for (const [id, n] of this.nodes) {
        if (!n.hasReady()) continue
        moved = true
        const rd = n.ready()
        this.queue.push(...rd.early)
        n.advance(rd)
        if (rd.snapshot) this.applied.set(id, [{ term: rd.snapshot.meta.term, index: rd.snapshot.meta.index, data: rd.snapshot.data }])
        this.queue.push(...rd.messages)
        this.sent.push(...rd.early, ...rd.messages)
        this.applied.get(id)?.push(...rd.committed)
        for (const x of rd.reads) this.reads.push({ id, ...x })
        for (const read of rd.dropped) this.dropped.push({ id, read })
        if (n.role === 'leader') {
          const prev = this.leaders.get(n.term)
          if (prev !== undefined && prev !== id) throw new Error(`two leaders in term ${n.term}: ${prev} ${id}`)
          this.leaders.set(n.term, id)
        }
      }
      const q = this.queue
      this.queue = []
      for (const m of q) {
        if (this.drop(m)) continue
        moved = true
        this.nodes.get(m.to)?.step(m)
      }
      if (!moved) return
    }
  }

  tick(n = 1): void {
    for (let k = 0; k < n; k++) {
      for (const node of this.nodes.values()) node.tick()
      this.stabilize()
    }
  }

  /** Tick until a leader exists (or give up). */
  elect(maxTicks = 200): string {
    for (let k = 0; k < maxTicks; k++) {
      this.tick()
      const l = this.leader()
      if (l && this.node(l).log.committed >= this.node(l).log.lastIndex()) return l
    }
    throw new Error('no leader elected')
  }

  isolate(id: string): void {
    const prev = this.drop
    this.drop = (m) => m.from === id || m.to === id || prev(m)
  }

  heal(): void {
    this.drop = () => false
  }

  data(id: string): string[] {
    return (this.applied.get(id) ?? []).filter((e) => e.data && e.data.length > 0).map((e) => new TextDecoder().decode(e.data))
  }
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
