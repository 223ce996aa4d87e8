// The workload kinds the controller-manager reads in detail, from the shared object shapes.
import type { Job, PersistentVolumeClaim, StatefulSet } from '../../protocols/k8s.ts'

export type { DaemonSet, Job, Namespace, PersistentVolume, PersistentVolumeClaim, StatefulSet } from '../../protocols/k8s.ts'

export type JobCondition = NonNullable<NonNullable<Job['status']>['conditions']>[number]
export type PvcSpec = PersistentVolumeClaim['spec']
export type PersistentVolumeClaimTemplate = NonNullable<StatefulSet['spec']['volumeClaimTemplates']>[number]
