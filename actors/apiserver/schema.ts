// A light structural schema of the kinds served: field names and JSON types, enough to refuse
// unknown fields (fieldValidation=Strict) and wrong types with the field's path. Parts not
// modelled are `any` and pass through.

export type S =
  | 'string' | 'int' | 'bool' | 'number' | 'intOrString' | 'quantity' | 'any'
  | { obj: Record<string, S>; open?: boolean }
  | { arr: S }
  | { map: S }

const str = 'string' as const
const int = 'int' as const
const bool = 'bool' as const
const any = 'any' as const
const o = (f: Record<string, S>, open = false): S => ({ obj: f, open })
const arr = (s: S): S => ({ arr: s })
const map = (s: S): S => ({ map: s })

export const labelSelector = o({ matchLabels: map(str), matchExpressions: arr(o({ key: str, operator: str, values: arr(str) })) })

export const objectMeta = o({
  name: str, generateName: str, namespace: str, uid: str, resourceVersion: str, generation: int,
  creationTimestamp: any, deletionTimestamp: any, deletionGracePeriodSeconds: int,
  labels: map(str), annotations: map(str), finalizers: arr(str), managedFields: any, selfLink: str,
  ownerReferences: arr(o({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool })),
})

const probe = o({
  exec: o({ command: arr(str) }),
  httpGet: o({ path: str, port: 'intOrString', host: str, scheme: str, httpHeaders: arr(o({ name: str, value: str })) }),
  tcpSocket: o({ port: 'intOrString', host: str }),
  grpc: o({ port: int, service: str }),
  initialDelaySeconds: int, periodSeconds: int, timeoutSeconds: int, successThreshold: int, failureThreshold: int,
  terminationGracePeriodSeconds: int,
})

const container = o({
  name: str, image: str, command: arr(str), args: arr(str), workingDir: str,
  ports: arr(o({ name: str, containerPort: int, hostPort: int, hostIP: str, protocol: str })),
  env: arr(o({ name: str, value: str, valueFrom: any })), envFrom: any,
  resources: o({ requests: map('quantity'), limits: map('quantity'), claims: any }),
  volumeMounts: arr(o({ name: str, mountPath: str, readOnly: bool, subPath: str, subPathExpr: str, mountPropagation: str, recursiveReadOnly: str })),
  volumeDevices: any, livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: any,
  terminationMessagePath: str, terminationMessagePolicy: str, imagePullPolicy: str, securityContext: any,
  stdin: bool, stdinOnce: bool, tty: bool, resizePolicy: any, restartPolicy: str,
})

export const podSpec = o({
  containers: arr(container), initContainers: arr(container), ephemeralContainers: any, volumes: arr(o({ name: str }, true)),
  restartPolicy: str, terminationGracePeriodSeconds: int, activeDeadlineSeconds: int, dnsPolicy: str,
  nodeSelector: map(str), serviceAccountName: str, serviceAccount: str, automountServiceAccountToken: bool,
  nodeName: str, hostNetwork: bool, hostPID: bool, hostIPC: bool, shareProcessNamespace: bool, securityContext: any,
  imagePullSecrets: arr(o({ name: str })), hostname: str, subdomain: str, affinity: any, schedulerName: str,
  tolerations: arr(o({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int })),
  hostAliases: any, priorityClassName: str, priority: int, dnsConfig: any, readinessGates: any,
  runtimeClassName: str, enableServiceLinks: bool, preemptionPolicy: str, overhead: any,
  topologySpreadConstraints: any, setHostnameAsFQDN: bool, os: any, hostUsers: bool, schedulingGates: any, resourceClaims: any,
})

const template = o({ metadata: objectMeta, spec: podSpec })

const top = (spec: S | undefined, status: S = any, extra: Record<string, S> = {}): S =>
  o({ apiVersion: str, kind: str, metadata: objectMeta, ...(spec ? { spec } : {}), status, ...extra })

export const SCHEMAS: Record<string, S> = {
  pods: top(podSpec),
  services: top(o({
    ports: arr(o({ name: str, protocol: str, appProtocol: str, port: int, targetPort: 'intOrString', nodePort: int })),
    selector: map(str), clusterIP: str, clusterIPs: arr(str), type: str, externalIPs: arr(str), sessionAffinity: str,
    loadBalancerIP: str, loadBalancerSourceRanges: arr(str), externalName: str, externalTrafficPolicy: str,
    healthCheckNodePort: int, publishNotReadyAddresses: bool, sessionAffinityConfig: any, ipFamilies: arr(str),
    ipFamilyPolicy: str, allocateLoadBalancerNodePorts: bool, loadBalancerClass: str, internalTrafficPolicy: str, trafficDistribution: str,
  })),
  deployments: top(o({
    replicas: int, selector: labelSelector, template, strategy: o({ type: str, rollingUpdate: o({ maxUnavailable: 'intOrString', maxSurge: 'intOrString' }) }),
    minReadySeconds: int, revisionHistoryLimit: int, paused: bool, progressDeadlineSeconds: int,
  })),
  replicasets: top(o({ replicas: int, minReadySeconds: int, selector: labelSelector, template })),
  daemonsets: top(o({ selector: labelSelector, template, updateStrategy: any, minReadySeconds: int, revisionHistoryLimit: int })),
  statefulsets: top(o({
    replicas: int, selector: labelSelector, template, volumeClaimTemplates: any, serviceName: str, podManagementPolicy: str,
    updateStrategy: any, revisionHistoryLimit: int, minReadySeconds: int, persistentVolumeClaimRetentionPolicy: any, ordinals: any,
  })),
  replicationcontrollers: top(o({ replicas: int, minReadySeconds: int, selector: map(str), template })),
  jobs: top(o({
    parallelism: int, completions: int, activeDeadlineSeconds: int, podFailurePolicy: any, successPolicy: any, backoffLimit: int,
    backoffLimitPerIndex: int, maxFailedIndexes: int, selector: labelSelector, manualSelector: bool, template,
    ttlSecondsAfterFinished: int, completionMode: str, suspend: bool, podReplacementPolicy: str, managedBy: str,
  })),
  configmaps: top(undefined, any, { data: map(str), binaryData: map(str), immutable: bool }),
  secrets: top(undefined, any, { data: map(str), stringData: map(str), type: str, immutable: bool }),
  serviceaccounts: top(undefined, any, { secrets: any, imagePullSecrets: any, automountServiceAccountToken: bool }),
  endpoints: top(undefined, any, { subsets: any }),
  events: top(undefined, any, {
    involvedObject: o({ kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str }),
    reason: str, message: str, source: o({ component: str, host: str }), firstTimestamp: any, lastTimestamp: any, count: int, type: str,
    eventTime: any, series: any, action: str, related: any, reportingComponent: str, reportingInstance: str,
  }),
  leases: top(o({ holderIdentity: any, leaseDurationSeconds: int, acquireTime: any, renewTime: any, leaseTransitions: int, strategy: str, preferredHolder: str })),
  namespaces: top(o({ finalizers: arr(str) })),
  nodes: top(o({ podCIDR: str, podCIDRs: arr(str), providerID: str, unschedulable: bool, taints: arr(o({ key: str, value: str, effect: str, timeAdded: any })), configSource: any, externalID: str })),
  persistentvolumes: top(any),
  persistentvolumeclaims: top(any),
  ingresses: top(any),
  controllerrevisions: top(undefined, any, { data: any, revision: int }),
}
