// LeaderElector: client-go's leader election on a coordination.k8s.io/v1 Lease.
// - A candidate acquires the lease when it is free, released (holder ''), or expired: expiry is
//   judged by the candidate's own clock, leaseDuration after it last saw the record change.
// - The leader renews every retryPeriod (an update of the record it last saw; a get first only
//   after a conflict); if no renew succeeds within renewDeadline (counted from
//   the send time of the last successful renew, so it is always before any standby may judge
//   the lease expired) it stops leading.
// - stop() releases a held lease so a standby takes over at its next retry.
import type { Ctx } from '../../runtime/actor.ts'
import type { Lease } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import type { LeaseTimings } from '../args.ts'
import { isApiError } from './errors.ts'
import type { ApiClient, WatchHandle } from './types.ts'

export interface LeaderElectorOptions {
  namespace: string
  name: string
  identity: string
  timings: LeaseTimings
  component: string
  onStartedLeading(): void
  onStoppedLeading(): void
  onNewLeader?(identity: string): void
}

interface Observed {
  holder: string
  renewTime: string
  acquireTime: string
  transitions: number
  rv: string
}

const iso = (ms: number) => new Date(ms).toISOString()

export class LeaderElector {
  private running = false
  private leading = false
  /** Local time until which this instance may act as leader. */
  private leaderUntil = 0
  private observed: Observed | undefined
  private observedAt = 0
  private lastLease: Lease | undefined
  private reportedLeader = ''
  private loop = 0
  private wake: (() => void) | undefined
  private leaseWatch: WatchHandle | undefined

  constructor(private readonly ctx: Ctx, private readonly client: ApiClient, private readonly opts: LeaderElectorOptions) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.report()
    this.watchLease()
    void this.run(++this.loop)
  }

  /** True while this instance holds the lease and its last renew is within renewDeadline. */
  isLeader(): boolean {
    return this.leading && this.ctx.now() < this.leaderUntil
  }

  /** The holder this instance last observed ('' if none). */
  holder(): string {
    return this.observed?.holder ?? ''
  }

  /** Stop campaigning; a leader releases the lease so that a standby takes over at once. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.loop++
    this.leaseWatch?.stop()
    this.leaseWatch = undefined
    this.wake?.()
    const wasLeading = this.leading
    if (wasLeading) this.stepDown()
    if (wasLeading && this.lastLease) await this.release(this.lastLease)
  }

  private async run(loop: number): Promise<void> {
    const { retryPeriodMs } = this.opts.timings
    while (this.running && loop === this.loop) {
      const sentAt = this.ctx.now()
      const ok = await this.tryAcquireOrRenew()
      if (!this.running || loop !== this.loop) return
      if (ok) {
        this.leaderUntil = sentAt + this.opts.timings.renewDeadlineMs
        if (!this.leading) this.becomeLeader(loop)
      } else if (this.leading && this.ctx.now() >= this.leaderUntil) {
        this.loseLease('renew deadline passed')
      }
      await this.nap(this.leading ? retryPeriodMs : this.jittered(retryPeriodMs))
    }
  }

  /** Sleep, unless woken early (the lease was released). */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      void this.ctx.sleep(ms).then(resolve)
    })
  }

  /** Watch the Lease so that a standby notices a release at once. */
  private watchLease(): void {
    if (!this.running) return
    const { namespace, name, timings } = this.opts
    this.leaseWatch = this.client.watch(R.leases, namespace, { fieldSelector: `metadata.name=${name}` }, {
      onEvent: (ev) => {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return
        const lease = ev.object as Lease
        const free = ev.type === 'DELETED' || !lease.spec?.holderIdentity
        if (free && !this.leading) this.wake?.()
      },
      onClose: () => {
        this.leaseWatch = undefined
        if (this.running) void this.ctx.sleep(timings.retryPeriodMs).then(() => this.watchLease())
      },
    })
  }

  private jittered(ms: number): number {
    return ms * (1 + 0.2 * this.ctx.random())
  }

  private becomeLeader(loop: number): void {
    this.leading = true
    const transitions = this.observed?.transitions ?? 0
    this.ctx.log.info({ event: 'lease.acquired', component: this.opts.component, identity: this.opts.identity, holder: this.opts.identity, leaseTransitions: transitions }, 'lease acquired')
    this.report()
    void this.watchDeadline(loop)
    this.opts.onStartedLeading()
  }

  /** Step down exactly when the renew deadline passes, even if a renew is still in flight. */
  private async watchDeadline(loop: number): Promise<void> {
    while (this.leading && loop === this.loop) {
      const left = this.leaderUntil - this.ctx.now()
      if (left <= 0) {
        this.loseLease('renew deadline passed')
        return
      }
      await this.ctx.sleep(left)
    }
  }

  private loseLease(why: string): void {
    if (!this.leading) return
    this.ctx.log.warn({ event: 'lease.renew-failed', component: this.opts.component, identity: this.opts.identity, holder: this.holder(), leaseTransitions: this.observed?.transitions ?? 0, why }, 'lease renew failed')
    this.stepDown()
  }

  private stepDown(): void {
    this.leading = false
    this.leaderUntil = 0
    this.ctx.log.warn({ event: 'lease.lost', component: this.opts.component, identity: this.opts.identity, holder: this.holder(), leaseTransitions: this.observed?.transitions ?? 0 }, 'lease lost')
    this.report()
    this.opts.onStoppedLeading()
  }

  private report(): void {
    const holder = this.leading ? this.opts.identity : this.holder()
    this.ctx.report({ info: { leader: this.leading, holder } })
  }

  private observe(lease: Lease): void {
    const s = lease.spec ?? {}
    const rec: Observed = {
      holder: s.holderIdentity ?? '',
      renewTime: s.renewTime ?? '',
      acquireTime: s.acquireTime ?? '',
      transitions: s.leaseTransitions ?? 0,
      rv: lease.metadata.resourceVersion ?? '',
    }
    const o = this.observed
    if (!o || o.holder !== rec.holder || o.renewTime !== rec.renewTime || o.acquireTime !== rec.acquireTime || o.transitions !== rec.transitions) {
      this.observedAt = this.ctx.now()
      if (rec.holder !== this.reportedLeader) {
        this.reportedLeader = rec.holder
        this.observed = rec
        if (!this.leading) this.report()
        if (rec.holder !== '') this.opts.onNewLeader?.(rec.holder)
      }
    }
    this.observed = rec
    this.lastLease = lease
  }

  private spec(now: number, acquireTime: string, transitions: number): Lease['spec'] {
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.opts.timings.leaseDurationMs / 1000)),
      acquireTime,
      renewTime: iso(now),
      leaseTransitions: transitions,
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts
    const now = this.ctx.now()
    // Fast path, as client-go's: the leader updates the record it last saw, one request instead
    // of a get and an update (renewals then wait half as long behind a busy apiserver). Only a
    // conflict (the record moved) sends it down the slow path.
    const last = this.lastLease
    if (this.leading && last?.spec?.holderIdentity === identity && this.observed) {
      const body: Lease = { ...last, metadata: { ...last.metadata }, spec: this.spec(now, this.observed.acquireTime || iso(now), this.observed.transitions) }
      try {
        this.observe(await this.client.update<Lease>(R.leases, namespace, body))
        return true
      } catch (e) {
        if (!isApiError(e, 'API_CONFLICT')) {
          this.ctx.log.debug({ err: e, lease: name }, 'lease update failed')
          return false
        }
      }
    }
    let lease: Lease | undefined
    try {
      lease = await this.client.get<Lease>(R.leases, namespace, name)
    } catch (e) {
      this.ctx.log.debug({ err: e, lease: name }, 'lease get failed')
      return false
    }
    if (!lease) {
      const body: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: this.spec(now, iso(now), 0),
      }
      try {
        const created = await this.client.create<Lease>(R.leases, namespace, body)
        this.observe(created)
        return true
      } catch (e) {
        this.ctx.log.debug({ err: e, lease: name }, 'lease create failed')
        return false
      }
    }
    this.observe(lease)
    const o = this.observed as Observed
    const mine = o.holder === identity
    const expired = this.ctx.now() >= this.observedAt + this.opts.timings.leaseDurationMs
    if (!mine && o.holder !== '' && !expired) return false
    const spec = mine ? this.spec(now, o.acquireTime || iso(now), o.transitions) : this.spec(now, iso(now), o.transitions + 1)
    const body: Lease = { ...lease, metadata: { ...lease.metadata }, spec }
    try {
      const updated = await this.client.update<Lease>(R.leases, namespace, body)
      this.observe(updated)
      return true
    } catch (e) {
      if (!isApiError(e, 'API_CONFLICT')) this.ctx.log.debug({ err: e, lease: name }, 'lease update failed')
      return false
    }
  }

  private async release(lease: Lease): Promise<void> {
    const body: Lease = {
      ...lease,
      metadata: { ...lease.metadata },
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: iso(this.ctx.now()), acquireTime: iso(this.ctx.now()) },
    }
    try {
      let r: Lease
      try {
        r = await this.client.update<Lease>(R.leases, this.opts.namespace, body)
      } catch (e) {
        // A renew still in flight may have moved the resourceVersion: retry once on the latest.
        if (!isApiError(e, 'API_CONFLICT')) throw e
        const latest = await this.client.get<Lease>(R.leases, this.opts.namespace, this.opts.name)
        if (!latest || latest.spec?.holderIdentity !== this.opts.identity) return
        r = await this.client.update<Lease>(R.leases, this.opts.namespace, { ...latest, spec: { ...latest.spec, ...body.spec } })
      }
      this.observe(r)
      this.ctx.log.info({ event: 'lease.released', component: this.opts.component, identity: this.opts.identity, leaseTransitions: this.observed?.transitions ?? 0 }, 'lease released')
    } catch (e) {
      this.ctx.log.warn({ err: e, lease: this.opts.name }, 'lease release failed')
    }
  }
}
