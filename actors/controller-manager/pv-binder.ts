// The PersistentVolume binder: binds claims to volumes (volume first, then claim, as the
// Kubernetes binder does) and runs the local provisioner for claims nothing matches.
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode } from './base.ts'
import type { ControllerDeps } from './deps.ts'
import { keyOf, splitKey } from './keys.ts'
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, decideClaim, decideVolume } from './pv-binder-core.ts'
import type { PersistentVolume, PersistentVolumeClaim } from './workload-types.ts'
import { withKind } from './base.ts'

export class PersistentVolumeBinder extends BaseController {
  constructor(d: ControllerDeps) {
    super('persistentvolume-binder', d, 1)
    d.informers.persistentvolumeclaims.addHandler({
      onAdd: (o) => this.enqueue(`claim|${keyOf(o)}`),
      onUpdate: (_o, n) => this.enqueue(`claim|${keyOf(n)}`),
      onDelete: (o) => { for (const v of this.volumes()) if (v.spec.claimRef?.uid === o.metadata.uid) this.enqueue(`volume|${keyOf(v)}`) },
    })
    d.informers.persistentvolumes.addHandler({
      onAdd: (o) => { this.enqueue(`volume|${keyOf(o)}`); this.enqueuePending() },
      onUpdate: (_o, n) => { this.enqueue(`volume|${keyOf(n)}`); const ref = (n as PersistentVolume).spec.claimRef; if (ref?.name) this.enqueue(`claim|${ref.namespace}/${ref.name}`) },
    })
  }

  private volumes(): PersistentVolume[] {
    return this.d.informers.persistentvolumes.list() as PersistentVolume[]
  }

  private enqueuePending(): void {
    for (const c of this.d.informers.persistentvolumeclaims.list()) if ((c as PersistentVolumeClaim).status?.phase !== 'Bound') this.enqueue(`claim|${keyOf(c)}`)
  }

  protected initialKeys(): string[] {
    return [
      ...this.d.informers.persistentvolumeclaims.list().map((c) => `claim|${keyOf(c)}`),
      ...this.volumes().map((v) => `volume|${keyOf(v)}`),
    ]
  }

  protected async reconcile(key: string): Promise<void> {
    const bar = key.indexOf('|')
    const kind = key.slice(0, bar)
    const { namespace, name } = splitKey(key.slice(bar + 1))
    if (kind === 'claim') await this.syncClaim(namespace, name)
    else await this.syncVolume(name)
  }

  private async syncClaim(namespace: string | undefined, name: string): Promise<void> {
    const cached = this.d.informers.persistentvolumeclaims.get(namespace, name) as PersistentVolumeClaim | undefined
    if (!cached) return
    const claim = withKind(cached, 'v1', 'PersistentVolumeClaim')
    const dec = decideClaim(claim, this.volumes())
    const c = this.d.client
    if (dec.type === 'provision') {
      await c.create(R.persistentvolumes, undefined, dec.volume).catch((e) => { if (errCode(e) !== 'API_ALREADY_EXISTS') throw e })
      this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${dec.volume.metadata.name}`)
      return // bound when the new volume shows up in the cache
    }
    if (dec.type === 'bind') {
      const v = this.d.informers.persistentvolumes.get(undefined, dec.volume) as PersistentVolume
      const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name, uid: claim.metadata.uid }
      await c.patch(R.persistentvolumes, undefined, dec.volume, 'merge', { metadata: { annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } }, spec: { claimRef } })
      await c.patch(R.persistentvolumes, undefined, dec.volume, 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' })
      await this.bindClaim(claim, v)
      return
    }
    if (dec.type === 'markBound') {
      const v = this.d.informers.persistentvolumes.get(undefined, dec.volume) as PersistentVolume
      await this.bindClaim(claim, v)
    }
  }

  private async bindClaim(claim: PersistentVolumeClaim, v: PersistentVolume): Promise<void> {
    const c = this.d.client
    const ns = claim.metadata.namespace
    const name = claim.metadata.name ?? ''
    if (claim.spec.volumeName !== v.metadata.name) {
      await c.patch(R.persistentvolumeclaims, ns, name, 'merge', { metadata: { annotations: { [ANN_BIND_COMPLETED]: 'yes', [ANN_BOUND_BY_CONTROLLER]: 'yes' } }, spec: { volumeName: v.metadata.name } })
    }
    await c.patch(R.persistentvolumeclaims, ns, name, 'merge', { status: { phase: 'Bound', accessModes: v.spec.accessModes, capacity: v.spec.capacity } }, { subresource: 'status' })
    this.d.ctx.log.info({ claim: `${ns}/${name}`, volume: v.metadata.name }, 'claim bound')
  }

  private async syncVolume(name: string): Promise<void> {
    const v = this.d.informers.persistentvolumes.get(undefined, name) as PersistentVolume | undefined
    if (!v) return
    const ref = v.spec.claimRef
    const cached = ref?.name ? this.d.informers.persistentvolumeclaims.get(ref.namespace, ref.name) as PersistentVolumeClaim | undefined : undefined
    let claim = cached
    const dec0 = decideVolume(v, claim)
    if (dec0.type === 'delete' || (dec0.type === 'phase' && dec0.phase === 'Released')) {
      // Confirm the claim is really gone before releasing the volume.
      claim = ref?.name ? await this.d.client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, ref.namespace, ref.name) : undefined
    }
    const dec = decideVolume(v, claim)
    const c = this.d.client
    if (dec.type === 'phase') {
      await c.patch(R.persistentvolumes, undefined, name, 'merge', { status: { phase: dec.phase } }, { subresource: 'status' }).catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
    } else if (dec.type === 'delete' && this.active) {
      await c.delete(R.persistentvolumes, undefined, name)
      this.d.ctx.log.info({ volume: name }, 'volume deleted by reclaim policy')
    }
  }
}
