// Direct links between worker threads: one MessagePort pair per pair of threads that talk, so a
// packed batch goes straight to its destination thread (buffer transferred) instead of through
// the main thread. Until a link exists, or after it is lost, batches take the relay route
// through the main thread, which is always there.
//
// Order per pair of threads is kept across the switch from the relay to the link: the sender
// posts a marker on the relay route when it starts using the link ("everything I relayed to you
// is ahead of this"), and the receiver holds batches that arrive on the link until that marker
// has come through the relay. Ports are injected, so this is tested without threads.

/** The part of a MessagePort a link uses. */
export interface LinkPort {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void
  on(event: 'message', fn: (value: unknown) => void): unknown
  on(event: 'close', fn: () => void): unknown
  close(): void
}

export interface MeshOptions {
  /** Deliver a batch received from another thread (over a link or, via the caller, the relay). */
  receive(buf: Uint8Array): void
  /** Send a batch to `dest` through the main thread. */
  relay(dest: string, buf: Uint8Array, count: number): void
  /** Ask the supervisor for a link to `peer` (once, until the link is lost). */
  want(peer: string): void
  /** The marker, on the relay route: what this thread relayed to `peer` so far is ahead of it. */
  marker(peer: string, id: number): void
  /** Ask for links at all (false: every batch takes the relay route). */
  direct: boolean
}

interface Link {
  id: number
  port: LinkPort
  /** The peer's marker has arrived: deliver what the link brings at once. */
  open: boolean
  /** Batches that arrived on the link before the peer's marker. */
  early: Uint8Array[]
}

export class Mesh {
  private readonly links = new Map<string, Link>()
  private readonly asked = new Set<string>()
  /** Batches sent over links and through the relay (for status and tests). */
  direct = 0
  relayed = 0

  constructor(private readonly opts: MeshOptions) {}

  /** Send a packed batch to thread `dest`; its buffer is transferred. */
  send(dest: string, buf: Uint8Array, count: number): void {
    const link = this.links.get(dest)
    if (link) {
      this.direct++
      link.port.postMessage(buf, [buf.buffer as ArrayBuffer])
      return
    }
    this.relayed++
    this.opts.relay(dest, buf, count)
    if (this.opts.direct && !this.asked.has(dest)) {
      this.asked.add(dest)
      this.opts.want(dest)
    }
  }

  /** The supervisor wired a link to `peer`: use it from now on. */
  link(peer: string, id: number, port: LinkPort): void {
    this.drop(peer)
    const l: Link = { id, port, open: false, early: [] }
    this.links.set(peer, l)
    this.asked.add(peer)
    port.on('message', (v) => this.arrived(l, v as Uint8Array))
    // The peer's thread died: back to the relay, which reaches its replacement.
    port.on('close', () => {
      if (this.links.get(peer) !== l) return
      this.drop(peer)
    })
    this.opts.marker(peer, id)
  }

  /** The marker of link `id` from `peer` came through the relay. */
  opened(peer: string, id: number): void {
    const l = this.links.get(peer)
    if (!l || l.id !== id || l.open) return
    l.open = true
    const early = l.early
    l.early = []
    for (const buf of early) this.opts.receive(buf)
  }

  /** `peer`'s thread is gone: forget the link; batches take the relay until a new one is wired. */
  unlink(peer: string): void {
    this.drop(peer)
  }

  /** Threads this one has a link to. */
  peers(): string[] {
    return [...this.links.keys()]
  }

  /** Close every link (the host is shutting down). */
  close(): void {
    for (const peer of [...this.links.keys()]) this.drop(peer)
  }

  private arrived(l: Link, buf: Uint8Array): void {
    if (l.open) this.opts.receive(buf)
    else l.early.push(buf)
  }

  private drop(peer: string): void {
    this.asked.delete(peer)
    const l = this.links.get(peer)
    if (!l) return
    this.links.delete(peer)
    // What came over the link from a peer that is gone is delivered rather than lost: its
    // relayed batches, ahead of the marker, have all been delivered or are lost with it.
    const early = l.early
    l.early = []
    l.open = true
    l.port.close()
    for (const buf of early) this.opts.receive(buf)
  }
}
