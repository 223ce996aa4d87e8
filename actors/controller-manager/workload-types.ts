// Object shapes for the kinds only the controller-manager reads in detail (Job, DaemonSet,
// StatefulSet, PersistentVolume, PersistentVolumeClaim, Namespace), Kubernetes field names.
import type { KObject, LabelSelector, PodTemplateSpec, ResourceList } from '../../protocols/k8s.ts'

export interface JobCondition {
  type: 'Complete' | 'Failed' | 'Suspended' | string
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
  lastProbeTime?: string
  lastTransitionTime?: string
}

export interface Job extends KObject {
  spec: {
    parallelism?: number
    completions?: number
    backoffLimit?: number
    activeDeadlineSeconds?: number
    selector?: LabelSelector
    template: PodTemplateSpec
    suspend?: boolean
  }
  status?: {
    startTime?: string
    completionTime?: string
    active?: number
    succeeded?: number
    failed?: number
    ready?: number
    conditions?: JobCondition[]
  }
}

export interface DaemonSet extends KObject {
  spec: {
    selector: LabelSelector
    template: PodTemplateSpec
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string } }
    minReadySeconds?: number
  }
  status?: {
    desiredNumberScheduled: number
    currentNumberScheduled: number
    numberMisscheduled: number
    numberReady: number
    numberAvailable?: number
    numberUnavailable?: number
    updatedNumberScheduled?: number
    observedGeneration?: number
  }
}

export interface PersistentVolumeClaimTemplate {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  spec: PvcSpec
}

export interface StatefulSet extends KObject {
  spec: {
    replicas?: number
    selector: LabelSelector
    template: PodTemplateSpec
    serviceName?: string
    podManagementPolicy?: 'OrderedReady' | 'Parallel'
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } }
    volumeClaimTemplates?: PersistentVolumeClaimTemplate[]
    minReadySeconds?: number
  }
  status?: {
    replicas: number
    readyReplicas?: number
    currentReplicas?: number
    updatedReplicas?: number
    availableReplicas?: number
    currentRevision?: string
    updateRevision?: string
    observedGeneration?: number
  }
}

export interface PvcSpec {
  accessModes?: string[]
  resources?: { requests?: ResourceList }
  storageClassName?: string | null
  volumeName?: string
  volumeMode?: string
  selector?: LabelSelector
}

export interface PersistentVolumeClaim extends KObject {
  spec: PvcSpec
  status?: { phase?: 'Pending' | 'Bound' | 'Lost'; accessModes?: string[]; capacity?: ResourceList }
}

export interface PersistentVolume extends KObject {
  spec: {
    capacity?: ResourceList
    accessModes?: string[]
    storageClassName?: string
    persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle'
    volumeMode?: string
    claimRef?: { kind?: string; apiVersion?: string; namespace?: string; name?: string; uid?: string } | null
    hostPath?: { path: string; type?: string }
    local?: { path: string }
    [k: string]: unknown
  }
  status?: { phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string }
}

export interface Namespace extends KObject {
  spec?: { finalizers?: string[] }
  status?: { phase?: 'Active' | 'Terminating'; conditions?: unknown[] }
}
