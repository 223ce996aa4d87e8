// Kubernetes object shapes, with Kubernetes' own JSON field names. Only the fields the
// components read are typed; everything else passes through untouched.

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
  managedFields?: unknown[]
  [k: string]: unknown
}

export interface KObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec?: unknown
  status?: unknown
  [k: string]: unknown
}

export interface ListMeta {
  resourceVersion?: string
  continue?: string
  remainingItemCount?: number
}

export interface KList<T extends KObject = KObject> {
  apiVersion: string
  kind: string
  metadata: ListMeta
  items: T[]
}

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

/** metav1.Status: every error answer. */
export interface Status {
  apiVersion: 'v1'
  kind: 'Status'
  metadata: ListMeta
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }
  code: number
}

export interface LabelSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export type Quantity = string | number
export type ResourceList = Record<string, Quantity>

export interface ContainerPort {
  name?: string
  containerPort: number
  hostPort?: number
  protocol?: string
}

export interface Probe {
  exec?: { command: string[] }
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string }
  tcpSocket?: { port: number | string; host?: string }
  initialDelaySeconds?: number
  periodSeconds?: number
  timeoutSeconds?: number
  successThreshold?: number
  failureThreshold?: number
}

export interface KeyRef {
  name?: string
  key: string
  optional?: boolean
}

export interface EnvVar {
  name: string
  value?: string
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string }
    resourceFieldRef?: { resource: string; containerName?: string; divisor?: Quantity }
    configMapKeyRef?: KeyRef
    secretKeyRef?: KeyRef
  }
}

export interface EnvFromSource {
  prefix?: string
  configMapRef?: { name?: string; optional?: boolean }
  secretRef?: { name?: string; optional?: boolean }
}

export interface Container {
  name: string
  image: string
  command?: string[]
  args?: string[]
  workingDir?: string
  env?: EnvVar[]
  envFrom?: EnvFromSource[]
  ports?: ContainerPort[]
  resources?: { requests?: ResourceList; limits?: ResourceList }
  livenessProbe?: Probe
  readinessProbe?: Probe
  startupProbe?: Probe
  imagePullPolicy?: string
  terminationMessagePath?: string
  terminationMessagePolicy?: string
  [k: string]: unknown
}

export interface Toleration {
  key?: string
  operator?: 'Exists' | 'Equal'
  value?: string
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
  tolerationSeconds?: number
}

export interface Taint {
  key: string
  value?: string
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
  timeAdded?: string
}

export interface PodSpec {
  containers: Container[]
  initContainers?: Container[]
  nodeName?: string
  nodeSelector?: Record<string, string>
  schedulerName?: string
  restartPolicy?: 'Always' | 'OnFailure' | 'Never'
  terminationGracePeriodSeconds?: number
  runtimeClassName?: string
  tolerations?: Toleration[]
  affinity?: unknown
  hostname?: string
  subdomain?: string
  priority?: number
  volumes?: unknown[]
  [k: string]: unknown
}

export interface PodCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  lastProbeTime?: string | null
  lastTransitionTime?: string
  reason?: string
  message?: string
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string }
  running?: { startedAt?: string }
  terminated?: { exitCode: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string }
}

export interface ContainerStatus {
  name: string
  image: string
  imageID: string
  containerID?: string
  ready: boolean
  started?: boolean
  restartCount: number
  state: ContainerState
  lastState: ContainerState
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown'
  conditions?: PodCondition[]
  hostIP?: string
  hostIPs?: Array<{ ip: string }>
  podIP?: string
  podIPs?: Array<{ ip: string }>
  startTime?: string
  reason?: string
  message?: string
  qosClass?: string
  containerStatuses?: ContainerStatus[]
  initContainerStatuses?: ContainerStatus[]
  [k: string]: unknown
}

export interface Pod extends KObject {
  spec: PodSpec
  status?: PodStatus
}

export interface NodeCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  lastHeartbeatTime?: string
  lastTransitionTime?: string
  reason?: string
  message?: string
}

export interface Node extends KObject {
  spec: { podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean; taints?: Taint[]; [k: string]: unknown }
  status?: {
    capacity?: ResourceList
    allocatable?: ResourceList
    conditions?: NodeCondition[]
    addresses?: Array<{ type: string; address: string }>
    nodeInfo?: Record<string, string>
    daemonEndpoints?: { kubeletEndpoint?: { Port: number } }
    [k: string]: unknown
  }
}

export interface Lease extends KObject {
  spec: {
    holderIdentity?: string | null
    leaseDurationSeconds?: number
    acquireTime?: string | null
    renewTime?: string | null
    leaseTransitions?: number
  }
}

export interface ObjectReference {
  kind?: string
  namespace?: string
  name?: string
  uid?: string
  apiVersion?: string
  resourceVersion?: string
  fieldPath?: string
}

export interface KEvent extends KObject {
  involvedObject: ObjectReference
  reason?: string
  message?: string
  source?: { component?: string; host?: string }
  firstTimestamp?: string | null
  lastTimestamp?: string | null
  eventTime?: string | null
  count?: number
  type?: 'Normal' | 'Warning'
  reportingComponent?: string
  reportingInstance?: string
}

export interface ServicePort {
  name?: string
  protocol?: string
  port: number
  targetPort?: number | string
  nodePort?: number
}

export interface Service extends KObject {
  spec: {
    selector?: Record<string, string>
    ports?: ServicePort[]
    clusterIP?: string
    clusterIPs?: string[]
    type?: string
    sessionAffinity?: string
    [k: string]: unknown
  }
}

export interface EndpointAddress {
  ip: string
  nodeName?: string
  hostname?: string
  targetRef?: ObjectReference
}

export interface EndpointSubset {
  addresses?: EndpointAddress[]
  notReadyAddresses?: EndpointAddress[]
  ports?: Array<{ name?: string; port: number; protocol?: string }>
}

export interface Endpoints extends KObject {
  subsets?: EndpointSubset[]
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta
  spec: PodSpec
}

export interface ReplicaSet extends KObject {
  spec: { replicas?: number; selector: LabelSelector; template: PodTemplateSpec; minReadySeconds?: number }
  status?: {
    replicas: number
    fullyLabeledReplicas?: number
    readyReplicas?: number
    availableReplicas?: number
    observedGeneration?: number
    conditions?: unknown[]
  }
}

export interface Deployment extends KObject {
  spec: {
    replicas?: number
    selector: LabelSelector
    template: PodTemplateSpec
    strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } }
    minReadySeconds?: number
    revisionHistoryLimit?: number
    progressDeadlineSeconds?: number
    paused?: boolean
  }
  status?: {
    observedGeneration?: number
    replicas?: number
    updatedReplicas?: number
    readyReplicas?: number
    availableReplicas?: number
    unavailableReplicas?: number
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }>
    collisionCount?: number
  }
}

export interface Namespace extends KObject {
  spec?: { finalizers?: string[] }
  status?: { phase?: 'Active' | 'Terminating'; conditions?: unknown[] }
}

export interface ConfigMap extends KObject {
  data?: Record<string, string>
  binaryData?: Record<string, string>
  immutable?: boolean
}

export interface Secret extends KObject {
  type?: string
  /** Base64-encoded values. */
  data?: Record<string, string>
  stringData?: Record<string, string>
  immutable?: boolean
}

export interface ServiceAccount extends KObject {
  secrets?: ObjectReference[]
  imagePullSecrets?: Array<{ name: string }>
  automountServiceAccountToken?: boolean
}

/** core/v1 Binding: POST pods/NAME/binding (or namespaces/NS/bindings). */
export interface Binding extends KObject {
  target: ObjectReference
}

/** autoscaling/v1 Scale: the scale subresource. */
export interface Scale extends KObject {
  spec: { replicas?: number }
  status?: { replicas: number; selector?: string }
}

export interface ReplicationController extends KObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: Record<string, string>; template?: PodTemplateSpec }
  status?: { replicas: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number; conditions?: unknown[] }
}

export interface DaemonSet extends KObject {
  spec: {
    selector: LabelSelector
    template: PodTemplateSpec
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } }
    minReadySeconds?: number
    revisionHistoryLimit?: number
  }
  status?: {
    currentNumberScheduled: number
    numberMisscheduled: number
    desiredNumberScheduled: number
    numberReady: number
    observedGeneration?: number
    updatedNumberScheduled?: number
    numberAvailable?: number
    numberUnavailable?: number
    collisionCount?: number
    conditions?: unknown[]
  }
}

export interface StatefulSet extends KObject {
  spec: {
    replicas?: number
    selector: LabelSelector
    template: PodTemplateSpec
    serviceName?: string
    volumeClaimTemplates?: PersistentVolumeClaim[]
    podManagementPolicy?: 'OrderedReady' | 'Parallel'
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } }
    revisionHistoryLimit?: number
    minReadySeconds?: number
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' }
  }
  status?: {
    observedGeneration?: number
    replicas: number
    readyReplicas?: number
    currentReplicas?: number
    updatedReplicas?: number
    availableReplicas?: number
    currentRevision?: string
    updateRevision?: string
    collisionCount?: number
    conditions?: unknown[]
  }
}

export interface ControllerRevision extends KObject {
  data?: unknown
  revision: number
}

export interface Job extends KObject {
  spec: {
    parallelism?: number
    completions?: number
    activeDeadlineSeconds?: number
    backoffLimit?: number
    selector?: LabelSelector
    manualSelector?: boolean
    template: PodTemplateSpec
    ttlSecondsAfterFinished?: number
    completionMode?: 'NonIndexed' | 'Indexed'
    suspend?: boolean
  }
  status?: {
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string }>
    startTime?: string
    completionTime?: string
    active?: number
    succeeded?: number
    failed?: number
    ready?: number
    completedIndexes?: string
    uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] }
  }
}

export interface PersistentVolume extends KObject {
  spec: {
    capacity?: ResourceList
    accessModes?: string[]
    persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle'
    storageClassName?: string
    volumeMode?: 'Filesystem' | 'Block'
    claimRef?: ObjectReference
    hostPath?: { path: string; type?: string }
    [k: string]: unknown
  }
  status?: { phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string; reason?: string }
}

export interface PersistentVolumeClaim extends KObject {
  spec: {
    accessModes?: string[]
    resources?: { requests?: ResourceList; limits?: ResourceList }
    storageClassName?: string
    volumeMode?: 'Filesystem' | 'Block'
    volumeName?: string
    selector?: LabelSelector
    [k: string]: unknown
  }
  status?: { phase?: 'Pending' | 'Bound' | 'Lost'; accessModes?: string[]; capacity?: ResourceList }
}

export interface Ingress extends KObject {
  spec: {
    ingressClassName?: string
    defaultBackend?: IngressBackend
    tls?: Array<{ hosts?: string[]; secretName?: string }>
    rules?: Array<{
      host?: string
      http?: { paths: Array<{ path?: string; pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific'; backend: IngressBackend }> }
    }>
  }
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } }
}

export interface IngressBackend {
  service?: { name: string; port: { number?: number; name?: string } }
  resource?: { apiGroup?: string; kind: string; name: string }
}
