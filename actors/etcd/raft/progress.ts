// What the leader knows about each follower: how far it matches, what to send next, and the
// flow-control state (probe: one append per heartbeat; replicate: a window of pipelined appends;
// snapshot: waiting for a snapshot to be installed).
export type ProgressState = 'probe' | 'replicate' | 'snapshot'

export class Progress {
  match = 0
  next: number
  state: ProgressState = 'probe'
  /** Last index of each append in flight (replicate state), oldest first. */
  inflight: number[] = []
  probeSent = false
  recentActive = false
  pendingSnapshot = 0
  /** Leader ticks with appends in flight but no progress. */
  stallTicks = 0
  /** Ticks since the snapshot was sent (resent when it looks lost). */
  snapshotTicks = 0

  constructor(next: number) {
    this.next = next
  }

  /** An ack for `index`: true if it moved match forward. */
  maybeUpdate(index: number): boolean {
    let updated = false
    if (index > this.match) {
      this.match = index
      updated = true
      this.probeSent = false
      this.stallTicks = 0
    }
    if (this.next < index + 1) this.next = index + 1
    while (this.inflight.length > 0 && this.inflight[0] <= index) this.inflight.shift()
    return updated
  }

  becomeProbe(): void {
    const fromSnapshot = this.state === 'snapshot'
    this.state = 'probe'
    this.next = fromSnapshot ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1
    this.pendingSnapshot = 0
    this.inflight = []
    this.probeSent = false
    this.stallTicks = 0
  }

  becomeReplicate(): void {
    this.state = 'replicate'
    this.next = this.match + 1
    this.inflight = []
    this.probeSent = false
    this.stallTicks = 0
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot'
    this.pendingSnapshot = index
    this.inflight = []
    this.snapshotTicks = 0
  }
}
