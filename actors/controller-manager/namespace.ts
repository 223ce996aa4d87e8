// The Namespace controller: empties a terminating namespace of every namespaced resource,
// then removes the 'kubernetes' finalizer (namespaces/<name>/finalize) so the API server can
// delete it.
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode } from './base.ts'
import type { ControllerDeps } from './deps.ts'
import { decideNamespace, isTerminating, NAMESPACED_RESOURCES } from './namespace-core.ts'
import type { Namespace } from './workload-types.ts'

/** While content remains, look again this often. */
const RECHECK_MS = 500

export class NamespaceController extends BaseController {
  constructor(d: ControllerDeps) {
    super('namespace', d, 1)
    d.informers.namespaces.addHandler({ onAdd: (o) => this.enqueueObj(o), onUpdate: (_o, n) => this.enqueueObj(n) })
  }

  protected initialKeys(): string[] {
    return this.d.informers.namespaces.list().filter((n) => isTerminating(n as Namespace)).map((n) => n.metadata.name ?? '')
  }

  protected async reconcile(name: string): Promise<void> {
    const ns = this.d.informers.namespaces.get(undefined, name) as Namespace | undefined
    if (!ns || !isTerminating(ns)) return
    const c = this.d.client
    let remaining = 0
    for (const res of NAMESPACED_RESOURCES) {
      if (!this.active) return
      const list = await c.list(R[res], name).catch((e) => {
        if (errCode(e) === 'API_NOT_FOUND') return { items: [] }
        throw e
      })
      for (const o of list.items) {
        if (o.metadata.deletionTimestamp) { remaining++; continue }
        const gone = await c.delete(R[res], name, o.metadata.name ?? '', { propagationPolicy: 'Background' })
        if (gone) remaining++
      }
    }
    const dec = decideNamespace(ns, remaining)
    if (dec.type === 'deleteContent') {
      this.enqueueAfter(name, RECHECK_MS)
      return
    }
    if (dec.type !== 'finalize') return
    const body = { ...ns, spec: { ...(ns.spec ?? {}), finalizers: dec.finalizers } }
    try {
      await c.update(R.namespaces, undefined, body, { subresource: 'finalize' })
    } catch (e) {
      if (errCode(e) !== 'API_NOT_FOUND') throw e
      // An API server without the finalize subresource: patch the spec directly.
      await c.patch(R.namespaces, undefined, name, 'merge', { spec: { finalizers: dec.finalizers } }).catch((e2) => { if (errCode(e2) !== 'API_NOT_FOUND') throw e2 })
    }
    this.d.ctx.log.info({ namespace: name }, 'namespace finalized')
  }
}
