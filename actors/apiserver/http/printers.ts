// Pure: the columns and cells of kube-apiserver's Table printers, per resource.
import type { KObject } from '../../../protocols/k8s.ts'
import { age, humanDuration } from './age.ts'

export interface Column {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format?: string
  description?: string
  priority?: number
}

export interface Printer {
  columns: Column[]
  cells(obj: any, now: number): unknown[]
}

const NONE = '<none>'
const s = (name: string, priority = 0, format = ''): Column => ({ name, type: 'string', format, priority })
const i = (name: string, priority = 0): Column => ({ name, type: 'integer', format: '', priority })
const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0 }
const AGE = s('Age')

const orNone = (v: unknown): string => (v === undefined || v === null || v === '' ? NONE : String(v))
const num = (v: unknown): number => (typeof v === 'number' ? v : 0)

function labelSet(m: Record<string, string> | undefined): string {
  if (!m || Object.keys(m).length === 0) return NONE
  return Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',')
}

/** metav1.LabelSelectorAsSelector(...).String() */
export function selectorString(sel: any): string {
  if (!sel) return NONE
  const parts: string[] = []
  const ml = sel.matchLabels ?? {}
  for (const k of Object.keys(ml)) parts.push(`${k}=${ml[k]}`)
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',')
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`)
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`)
    else if (e.operator === 'Exists') parts.push(e.key)
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`)
  }
  parts.sort()
  return parts.length ? parts.join(',') : NONE
}

function containersImages(podSpec: any): [string, string] {
  const cs: any[] = podSpec?.containers ?? []
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')]
}

function podStatusCells(pod: any, now: number): { ready: string; reason: string; restarts: string } {
  const spec = pod.spec ?? {}
  const status = pod.status ?? {}
  const total = (spec.containers ?? []).length
  let restarts = 0
  let readyCount = 0
  let lastRestart = 0
  let reason: string = status.phase ?? ''
  if (status.reason) reason = status.reason
  let initializing = false
  const inits: any[] = status.initContainerStatuses ?? []
  for (let n = 0; n < inits.length; n++) {
    const c = inits[n]
    restarts += num(c.restartCount)
    const st = c.state ?? {}
    if (st.terminated && st.terminated.exitCode === 0) continue
    if (c.started && spec.initContainers?.[n]?.restartPolicy === 'Always') continue
    initializing = true
    if (st.terminated) reason = st.terminated.reason ? `Init:${st.terminated.reason}` : st.terminated.signal ? `Init:Signal:${st.terminated.signal}` : `Init:ExitCode:${st.terminated.exitCode}`
    else if (st.waiting?.reason && st.waiting.reason !== 'PodInitializing') reason = `Init:${st.waiting.reason}`
    else reason = `Init:${n}/${(spec.initContainers ?? []).length}`
    break
  }
  if (!initializing) {
    restarts = 0
    let hasRunning = false
    const cs: any[] = status.containerStatuses ?? []
    for (let n = cs.length - 1; n >= 0; n--) {
      const c = cs[n]
      restarts += num(c.restartCount)
      const fin = c.lastState?.terminated?.finishedAt
      if (fin) lastRestart = Math.max(lastRestart, Date.parse(fin) || 0)
      const st = c.state ?? {}
      if (st.waiting?.reason) reason = st.waiting.reason
      else if (st.terminated?.reason) reason = st.terminated.reason
      else if (st.terminated) reason = st.terminated.signal ? `Signal:${st.terminated.signal}` : `ExitCode:${st.terminated.exitCode}`
      else if (c.ready && st.running) {
        hasRunning = true
        readyCount++
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = (status.conditions ?? []).find((c: any) => c.type === 'Ready')
      reason = readyCond?.status === 'True' ? 'Running' : 'NotReady'
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating'
  const restartsCell = lastRestart > 0 && restarts > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts)
  return { ready: `${readyCount}/${total}`, reason, restarts: restartsCell }
}

function servicePorts(ports: any[] | undefined): string {
  if (!ports?.length) return NONE
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',')
}

function externalIP(svc: any): string {
  const spec = svc.spec ?? {}
  const ext: string[] = spec.externalIPs ?? []
  switch (spec.type) {
    case 'LoadBalancer': {
      const ing: any[] = svc.status?.loadBalancer?.ingress ?? []
      const all = [...ing.map((x) => x.ip ?? x.hostname).filter(Boolean), ...ext]
      return all.length ? all.join(',') : '<pending>'
    }
    case 'ExternalName': return spec.externalName ?? NONE
    default: return ext.length ? ext.join(',') : NONE
  }
}

function nodeStatus(node: any): string {
  const conds: any[] = node.status?.conditions ?? []
  const ready = conds.find((c) => c.type === 'Ready')
  const out = [ready ? (ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown') : 'Unknown']
  if (node.spec?.unschedulable) out.push('SchedulingDisabled')
  return out.join(',')
}

function nodeRoles(node: any): string {
  const roles: string[] = []
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.push(k.slice('node-role.kubernetes.io/'.length))
    else if (k === 'kubernetes.io/role' && v) roles.push(v)
  }
  return roles.length ? roles.sort().join(',') : NONE
}

function nodeAddress(node: any, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? NONE
}

function eventLastSeen(ev: any, now: number): string {
  const last = ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp
  const first = ev.firstTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp
  const count = ev.series?.count ?? ev.count ?? 1
  const lastAge = age(last, now)
  if (count > 1) return `${lastAge} (x${count} over ${age(first, now)})`
  return lastAge
}

function jobStatus(job: any): string {
  const conds: any[] = job.status?.conditions ?? []
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True')
  if (has('Complete')) return 'Complete'
  if (has('Failed')) return 'Failed'
  if (job.metadata?.deletionTimestamp) return 'Terminating'
  if (has('Suspended') || job.spec?.suspend) return 'Suspended'
  if (has('FailureTarget')) return 'FailureTarget'
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet'
  return 'Running'
}

function jobCompletions(job: any): string {
  const succeeded = num(job.status?.succeeded)
  const completions = job.spec?.completions
  if (completions !== undefined && completions !== null) return `${succeeded}/${completions}`
  const parallelism = job.spec?.parallelism ?? 1
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`
}

function jobDuration(job: any, now: number): string {
  const start = job.status?.startTime
  if (!start) return ''
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now
  return humanDuration(end - Date.parse(start))
}

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' }
  return (modes ?? []).map((m) => short[m] ?? m).join(',')
}

function ingressHosts(ing: any): string {
  const hosts = (ing.spec?.rules ?? []).map((r: any) => r.host).filter(Boolean)
  return hosts.length ? hosts.join(',') : '*'
}

function endpointsCell(ep: any): string {
  const list: string[] = []
  for (const ss of ep.subsets ?? []) {
    const ports: any[] = ss.ports?.length ? ss.ports : [{}]
    for (const a of ss.addresses ?? []) for (const p of ports) list.push(p.port ? `${a.ip}:${p.port}` : a.ip)
  }
  if (list.length === 0) return NONE
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',')
}

const ageOf = (o: any, now: number) => age(o.metadata?.creationTimestamp, now)
const name = (o: any) => o.metadata?.name ?? ''

const replicaCols = (extraAfterCurrent: Column[] = []): Column[] => [NAME, i('Desired'), i('Current'), ...extraAfterCurrent, i('Ready'), AGE, s('Containers', 1), s('Images', 1), s('Selector', 1)]

export const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [NAME, s('Ready'), s('Status'), s('Restarts'), AGE, s('IP', 1), s('Node', 1), s('Nominated Node', 1), s('Readiness Gates', 1)],
    cells: (p, now) => {
      const st = podStatusCells(p, now)
      const gates: any[] = p.spec?.readinessGates ?? []
      const gatesCell = gates.length ? `${gates.filter((g) => (p.status?.conditions ?? []).some((c: any) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : NONE
      return [name(p), st.ready, st.reason, st.restarts, ageOf(p, now), orNone(p.status?.podIP), orNone(p.spec?.nodeName), orNone(p.status?.nominatedNodeName), gatesCell]
    },
  },
  deployments: {
    columns: [NAME, s('Ready'), i('Up-to-date'), i('Available'), AGE, s('Containers', 1), s('Images', 1), s('Selector', 1)],
    cells: (d, now) => {
      const [c, im] = containersImages(d.spec?.template?.spec)
      return [name(d), `${num(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`, num(d.status?.updatedReplicas), num(d.status?.availableReplicas), ageOf(d, now), c, im, selectorString(d.spec?.selector)]
    },
  },
  replicasets: {
    columns: replicaCols(),
    cells: (r, now) => {
      const [c, im] = containersImages(r.spec?.template?.spec)
      return [name(r), r.spec?.replicas ?? 1, num(r.status?.replicas), num(r.status?.readyReplicas), ageOf(r, now), c, im, selectorString(r.spec?.selector)]
    },
  },
  replicationcontrollers: {
    columns: replicaCols(),
    cells: (r, now) => {
      const [c, im] = containersImages(r.spec?.template?.spec)
      return [name(r), r.spec?.replicas ?? 1, num(r.status?.replicas), num(r.status?.readyReplicas), ageOf(r, now), c, im, labelSet(r.spec?.selector)]
    },
  },
  daemonsets: {
    columns: [NAME, i('Desired'), i('Current'), i('Ready'), i('Up-to-date'), i('Available'), s('Node Selector'), AGE, s('Containers', 1), s('Images', 1), s('Selector', 1)],
    cells: (d, now) => {
      const st = d.status ?? {}
      const [c, im] = containersImages(d.spec?.template?.spec)
      return [name(d), num(st.desiredNumberScheduled), num(st.currentNumberScheduled), num(st.numberReady), num(st.updatedNumberScheduled), num(st.numberAvailable), labelSet(d.spec?.template?.spec?.nodeSelector), ageOf(d, now), c, im, selectorString(d.spec?.selector)]
    },
  },
  statefulsets: {
    columns: [NAME, s('Ready'), AGE, s('Containers', 1), s('Images', 1)],
    cells: (d, now) => {
      const [c, im] = containersImages(d.spec?.template?.spec)
      return [name(d), `${num(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`, ageOf(d, now), c, im]
    },
  },
  jobs: {
    columns: [NAME, s('Status'), s('Completions'), s('Duration'), AGE, s('Containers', 1), s('Images', 1), s('Selector', 1)],
    cells: (j, now) => {
      const [c, im] = containersImages(j.spec?.template?.spec)
      return [name(j), jobStatus(j), jobCompletions(j), jobDuration(j, now), ageOf(j, now), c, im, selectorString(j.spec?.selector)]
    },
  },
  services: {
    columns: [NAME, s('Type'), s('Cluster-IP'), s('External-IP'), s('Port(s)'), AGE, s('Selector', 1)],
    cells: (v, now) => [name(v), v.spec?.type ?? 'ClusterIP', orNone(v.spec?.clusterIP), externalIP(v), servicePorts(v.spec?.ports), ageOf(v, now), labelSet(v.spec?.selector)],
  },
  nodes: {
    columns: [NAME, s('Status'), s('Roles'), AGE, s('Version'), s('Internal-IP', 1), s('External-IP', 1), s('OS-Image', 1), s('Kernel-Version', 1), s('Container-Runtime', 1)],
    cells: (n, now) => {
      const info = n.status?.nodeInfo ?? {}
      return [name(n), nodeStatus(n), nodeRoles(n), ageOf(n, now), info.kubeletVersion ?? '', nodeAddress(n, 'InternalIP'), nodeAddress(n, 'ExternalIP'), orNone(info.osImage), orNone(info.kernelVersion), orNone(info.containerRuntimeVersion)]
    },
  },
  events: {
    columns: [s('Last Seen'), s('Type'), s('Reason'), s('Object'), s('Subobject', 1), s('Source', 1), s('Message'), s('First Seen', 1), s('Count', 1), { ...NAME, priority: 1 }],
    cells: (e, now) => {
      const io = e.involvedObject ?? {}
      const src = e.source?.component ? (e.source.host ? `${e.source.component}, ${e.source.host}` : e.source.component) : (e.reportingComponent ?? '')
      return [eventLastSeen(e, now), e.type ?? '', e.reason ?? '', `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, io.fieldPath ?? '', src, String(e.message ?? '').trim(), age(e.firstTimestamp ?? e.eventTime, now), String(e.count ?? 1), name(e)]
    },
  },
  namespaces: {
    columns: [NAME, s('Status'), AGE],
    cells: (n, now) => [name(n), n.status?.phase ?? 'Active', ageOf(n, now)],
  },
  endpoints: {
    columns: [NAME, s('Endpoints'), AGE],
    cells: (e, now) => [name(e), endpointsCell(e), ageOf(e, now)],
  },
  configmaps: {
    columns: [NAME, i('Data'), AGE],
    cells: (c, now) => [name(c), Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, ageOf(c, now)],
  },
  secrets: {
    columns: [NAME, s('Type'), i('Data'), AGE],
    cells: (c, now) => [name(c), c.type ?? 'Opaque', Object.keys(c.data ?? {}).length + Object.keys(c.stringData ?? {}).length, ageOf(c, now)],
  },
  serviceaccounts: {
    columns: [NAME, i('Secrets'), AGE],
    cells: (c, now) => [name(c), (c.secrets ?? []).length, ageOf(c, now)],
  },
  persistentvolumes: {
    columns: [NAME, s('Capacity'), s('Access Modes'), s('Reclaim Policy'), s('Status'), s('Claim'), s('StorageClass'), s('VolumeAttributesClass'), s('Reason'), AGE, s('VolumeMode', 1)],
    cells: (p, now) => {
      const ref = p.spec?.claimRef
      return [name(p), p.spec?.capacity?.storage ?? '', accessModes(p.spec?.accessModes), p.spec?.persistentVolumeReclaimPolicy ?? 'Retain', p.status?.phase ?? 'Pending', ref ? `${ref.namespace}/${ref.name}` : '', p.spec?.storageClassName ?? '', orNone(p.spec?.volumeAttributesClassName), p.status?.reason ?? '', ageOf(p, now), p.spec?.volumeMode ?? 'Filesystem']
    },
  },
  persistentvolumeclaims: {
    columns: [NAME, s('Status'), s('Volume'), s('Capacity'), s('Access Modes'), s('StorageClass'), s('VolumeAttributesClass'), AGE, s('VolumeMode', 1)],
    cells: (p, now) => [name(p), p.status?.phase ?? 'Pending', p.spec?.volumeName ?? '', p.status?.capacity?.storage ?? '', accessModes(p.status?.accessModes), p.spec?.storageClassName ?? '', orNone(p.spec?.volumeAttributesClassName), ageOf(p, now), p.spec?.volumeMode ?? 'Filesystem'],
  },
  ingresses: {
    columns: [NAME, s('Class'), s('Hosts'), s('Address'), s('Ports'), AGE],
    cells: (g, now) => {
      const addr = (g.status?.loadBalancer?.ingress ?? []).map((x: any) => x.ip ?? x.hostname).filter(Boolean).join(',')
      return [name(g), orNone(g.spec?.ingressClassName), ingressHosts(g), addr, g.spec?.tls?.length ? '80, 443' : '80', ageOf(g, now)]
    },
  },
  leases: {
    columns: [NAME, s('Holder'), AGE],
    cells: (l, now) => [name(l), l.spec?.holderIdentity ?? '', ageOf(l, now)],
  },
  controllerrevisions: {
    columns: [NAME, s('Controller'), i('Revision'), AGE],
    cells: (c, now) => {
      const owner = (c.metadata?.ownerReferences ?? []).find((o: any) => o.controller)
      const ctl = owner ? `${String(owner.kind).toLowerCase()}.${String(owner.apiVersion).split('/')[0]}/${owner.name}` : NONE
      return [name(c), ctl, num(c.revision), ageOf(c, now)]
    },
  },
}

export const DEFAULT_PRINTER: Printer = {
  columns: [NAME, { name: 'Created At', type: 'date', format: '', priority: 0 }],
  cells: (o) => [name(o), o.metadata?.creationTimestamp ?? ''],
}

export function printerFor(plural: string): Printer {
  return PRINTERS[plural] ?? DEFAULT_PRINTER
}

export type { KObject }
