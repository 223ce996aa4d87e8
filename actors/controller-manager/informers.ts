// The shared informers the controller-manager runs on every instance (leader or standby), each
// with the indexes the controllers look things up by.
import type { Ctx } from '../../runtime/actor.ts'
import type { KObject, Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { Informer } from '../client/informer.ts'
import type { ApiClient } from '../client/types.ts'
import { BY_NAMESPACE, BY_NODE, BY_OWNER, BY_UID, ORPHANS_BY_NAMESPACE, type Informers } from './deps.ts'
import { controllerRef } from './owners.ts'

const common = {
  [BY_NAMESPACE]: (o: KObject) => [o.metadata.namespace ?? ''],
  [BY_OWNER]: (o: KObject) => (o.metadata.ownerReferences ?? []).map((r) => r.uid),
  [BY_UID]: (o: KObject) => (o.metadata.uid ? [o.metadata.uid] : []),
  [ORPHANS_BY_NAMESPACE]: (o: KObject) => (controllerRef(o) ? [] : [o.metadata.namespace ?? '']),
}

export function createInformers(ctx: Ctx, client: ApiClient, resyncMs: number): { informers: Informers; all: Array<Informer<KObject>> } {
  const all: Array<Informer<KObject>> = []
  const make = (ref: (typeof R)[keyof typeof R], extra: Record<string, (o: KObject) => string[]> = {}) => {
    const inf = new Informer<KObject>(ctx, client, ref, { resyncMs, indexers: { ...common, ...extra } })
    all.push(inf)
    return inf
  }
  const informers: Informers = {
    pods: make(R.pods, { [BY_NODE]: (o) => ((o as Pod).spec?.nodeName ? [(o as Pod).spec.nodeName as string] : []) }),
    nodes: make(R.nodes),
    replicasets: make(R.replicasets),
    replicationcontrollers: make(R.replicationcontrollers),
    deployments: make(R.deployments),
    services: make(R.services),
    endpoints: make(R.endpoints),
    leases: make(R.leases),
    jobs: make(R.jobs),
    daemonsets: make(R.daemonsets),
    statefulsets: make(R.statefulsets),
    namespaces: make(R.namespaces),
    persistentvolumes: make(R.persistentvolumes),
    persistentvolumeclaims: make(R.persistentvolumeclaims),
    controllerrevisions: make(R.controllerrevisions),
  }
  return { informers, all }
}
