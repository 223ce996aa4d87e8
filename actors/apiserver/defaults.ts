// Defaults as kube-apiserver applies them on create and update (pkg/apis/*/v1/defaults.go).
import type { KObject } from '../../protocols/k8s.ts'

type Obj = Record<string, any>

function setIf(o: Obj, k: string, v: unknown): void {
  if (o[k] === undefined || o[k] === null) o[k] = v
}

function defaultContainer(c: Obj): void {
  const image = String(c.image ?? '')
  const tag = image.includes('@') ? '' : (image.split('/').pop() ?? '').split(':')[1]
  setIf(c, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent')
  setIf(c, 'terminationMessagePath', '/dev/termination-log')
  setIf(c, 'terminationMessagePolicy', 'File')
  setIf(c, 'resources', {})
  for (const p of c.ports ?? []) setIf(p, 'protocol', 'TCP')
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe) continue
    setIf(probe, 'timeoutSeconds', 1)
    setIf(probe, 'periodSeconds', 10)
    setIf(probe, 'successThreshold', 1)
    setIf(probe, 'failureThreshold', 3)
    if (probe.httpGet) {
      setIf(probe.httpGet, 'path', '/')
      setIf(probe.httpGet, 'scheme', 'HTTP')
    }
  }
}

export function defaultPodSpec(s: Obj): void {
  setIf(s, 'restartPolicy', 'Always')
  setIf(s, 'dnsPolicy', 'ClusterFirst')
  setIf(s, 'schedulerName', 'default-scheduler')
  setIf(s, 'terminationGracePeriodSeconds', 30)
  setIf(s, 'securityContext', {})
  setIf(s, 'enableServiceLinks', true)
  setIf(s, 'preemptionPolicy', 'PreemptLowerPriority')
  setIf(s, 'priority', 0)
  if (s.serviceAccountName === undefined && s.serviceAccount === undefined) s.serviceAccountName = 'default'
  if (s.serviceAccountName !== undefined) setIf(s, 'serviceAccount', s.serviceAccountName)
  for (const c of s.containers ?? []) defaultContainer(c)
  for (const c of s.initContainers ?? []) defaultContainer(c)
  for (const v of s.volumes ?? []) {
    if (v.configMap) setIf(v.configMap, 'defaultMode', 420)
    if (v.secret) setIf(v.secret, 'defaultMode', 420)
    if (v.emptyDir === null) v.emptyDir = {}
  }
}

/**
 * kube-apiserver's DefaultTolerationSeconds admission: a pod being created tolerates the
 * not-ready and unreachable NoExecute taints for `seconds` (300 by default), unless it says
 * otherwise. Pods only, at creation (not templates).
 */
export function addDefaultTolerations(s: Obj, seconds = 300): void {
  const tol: Obj[] = s.tolerations ?? []
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tol.some((t) => t.key === key && (t.effect === 'NoExecute' || t.effect === undefined))) {
      tol.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds })
    }
  }
  s.tolerations = tol
}

function defaultTemplate(spec: Obj): void {
  spec.template ??= {}
  spec.template.metadata ??= {}
  spec.template.spec ??= {}
  defaultPodSpec(spec.template.spec)
  // apps/v1 selectors must be given; extensions-style defaulting from template labels
  if (!spec.selector && spec.template.metadata.labels) spec.selector = { matchLabels: { ...spec.template.metadata.labels } }
}

const DEFAULTERS: Record<string, (o: Obj) => void> = {
  pods(o) {
    o.spec ??= {}
    defaultPodSpec(o.spec)
    o.status ??= {}
    setIf(o.status, 'phase', 'Pending')
    setIf(o.status, 'qosClass', qosClass(o.spec))
  },
  services(o) {
    o.spec ??= {}
    const s = o.spec
    setIf(s, 'type', 'ClusterIP')
    setIf(s, 'sessionAffinity', 'None')
    if (s.type !== 'ExternalName') {
      setIf(s, 'ipFamilies', ['IPv4'])
      setIf(s, 'ipFamilyPolicy', 'SingleStack')
      setIf(s, 'internalTrafficPolicy', 'Cluster')
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') setIf(s, 'externalTrafficPolicy', 'Cluster')
    for (const p of s.ports ?? []) {
      setIf(p, 'protocol', 'TCP')
      setIf(p, 'targetPort', p.port)
    }
    o.status ??= { loadBalancer: {} }
  },
  deployments(o) {
    o.spec ??= {}
    const s = o.spec
    setIf(s, 'replicas', 1)
    s.strategy ??= {}
    setIf(s.strategy, 'type', 'RollingUpdate')
    if (s.strategy.type === 'RollingUpdate') {
      s.strategy.rollingUpdate ??= {}
      setIf(s.strategy.rollingUpdate, 'maxUnavailable', '25%')
      setIf(s.strategy.rollingUpdate, 'maxSurge', '25%')
    }
    setIf(s, 'revisionHistoryLimit', 10)
    setIf(s, 'progressDeadlineSeconds', 600)
    defaultTemplate(s)
  },
  replicasets(o) {
    o.spec ??= {}
    setIf(o.spec, 'replicas', 1)
    defaultTemplate(o.spec)
  },
  replicationcontrollers(o) {
    o.spec ??= {}
    setIf(o.spec, 'replicas', 1)
    if (o.spec.template) {
      defaultPodSpec((o.spec.template.spec ??= {}))
      if (!o.spec.selector && o.spec.template.metadata?.labels) o.spec.selector = { ...o.spec.template.metadata.labels }
    }
  },
  daemonsets(o) {
    o.spec ??= {}
    const s = o.spec
    s.updateStrategy ??= {}
    setIf(s.updateStrategy, 'type', 'RollingUpdate')
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {}
      setIf(s.updateStrategy.rollingUpdate, 'maxUnavailable', 1)
      setIf(s.updateStrategy.rollingUpdate, 'maxSurge', 0)
    }
    setIf(s, 'revisionHistoryLimit', 10)
    defaultTemplate(s)
  },
  statefulsets(o) {
    o.spec ??= {}
    const s = o.spec
    setIf(s, 'replicas', 1)
    setIf(s, 'podManagementPolicy', 'OrderedReady')
    s.updateStrategy ??= {}
    setIf(s.updateStrategy, 'type', 'RollingUpdate')
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {}
      setIf(s.updateStrategy.rollingUpdate, 'partition', 0)
    }
    setIf(s, 'revisionHistoryLimit', 10)
    s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' }
    defaultTemplate(s)
  },
  jobs(o) {
    o.spec ??= {}
    const s = o.spec
    setIf(s, 'completions', 1)
    setIf(s, 'parallelism', 1)
    setIf(s, 'backoffLimit', 6)
    setIf(s, 'completionMode', 'NonIndexed')
    setIf(s, 'suspend', false)
    s.template ??= {}
    s.template.spec ??= {}
    defaultPodSpec(s.template.spec)
  },
  namespaces(o) {
    o.spec ??= {}
    setIf(o.spec, 'finalizers', ['kubernetes'])
    o.status ??= {}
    setIf(o.status, 'phase', 'Active')
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name }
  },
  secrets(o) {
    setIf(o, 'type', 'Opaque')
  },
  persistentvolumeclaims(o) {
    o.spec ??= {}
    setIf(o.spec, 'volumeMode', 'Filesystem')
    o.status ??= {}
    setIf(o.status, 'phase', 'Pending')
  },
  persistentvolumes(o) {
    o.spec ??= {}
    setIf(o.spec, 'persistentVolumeReclaimPolicy', 'Retain')
    setIf(o.spec, 'volumeMode', 'Filesystem')
    o.status ??= {}
    setIf(o.status, 'phase', 'Pending')
  },
  events(o) {
    setIf(o, 'type', 'Normal')
    setIf(o, 'count', 1)
  },
  nodes(o) {
    o.spec ??= {}
  },
  ingresses(o) {
    o.spec ??= {}
    for (const r of o.spec.rules ?? []) for (const p of r.http?.paths ?? []) setIf(p, 'pathType', 'ImplementationSpecific')
  },
}

function qosClass(spec: Obj): string {
  let any = false
  let guaranteed = true
  for (const c of spec.containers ?? []) {
    const req = c.resources?.requests ?? {}
    const lim = c.resources?.limits ?? {}
    if (Object.keys(req).length || Object.keys(lim).length) any = true
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

/** Fill in defaults in place (the object is the server's own copy). */
export function applyDefaults(resource: string, obj: KObject): void {
  DEFAULTERS[resource]?.(obj as Obj)
}
