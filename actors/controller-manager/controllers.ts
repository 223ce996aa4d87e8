// The controllers this controller-manager runs, in the order they start.
import type { Controller, ControllerDeps } from './deps.ts'
import { DaemonSetController } from './daemonset.ts'
import { DeploymentController } from './deployment.ts'
import { EndpointsController } from './endpoints.ts'
import { GarbageCollector } from './garbage-collector.ts'
import { JobController } from './job.ts'
import { NamespaceController } from './namespace.ts'
import { NodeLifecycleController } from './node-lifecycle.ts'
import { PersistentVolumeBinder } from './pv-binder.ts'
import { REPLICATIONCONTROLLER, ReplicaSetController } from './replicaset.ts'
import { StatefulSetController } from './statefulset.ts'

export function buildControllers(d: ControllerDeps): Controller[] {
  return [
    new ReplicaSetController(d),
    new ReplicaSetController(d, REPLICATIONCONTROLLER),
    new DeploymentController(d),
    new EndpointsController(d),
    new NodeLifecycleController(d),
    new GarbageCollector(d),
    new JobController(d),
    new DaemonSetController(d),
    new StatefulSetController(d),
    new NamespaceController(d),
    new PersistentVolumeBinder(d),
  ]
}
