// Validation: structure and types against schema.ts, unknown fields for fieldValidation=Strict,
// then each kind's own rules (names, required fields, ranges). Pure; returns causes.
import type { KObject, StatusCause } from '../../protocols/k8s.ts'
import { SCHEMAS, type S } from './schema.ts'
import { fromLabelSelector, matches } from './selectors.ts'

type Obj = Record<string, any>

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const C_IDENT = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/

export interface ValidationResult {
  causes: StatusCause[]
  unknownFields: string[]
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function walk(v: unknown, s: S, path: string, r: ValidationResult): void {
  if (v === undefined || v === null || s === 'any') return
  const bad = (want: string): void => void r.causes.push({ reason: 'FieldValueInvalid', field: path, message: `Invalid value: ${JSON.stringify(v)}: must be ${want}, got ${typeOf(v)}` })
  if (typeof s === 'string') {
    switch (s) {
      case 'string': if (typeof v !== 'string') bad('a string'); return
      case 'bool': if (typeof v !== 'boolean') bad('a boolean'); return
      case 'int': if (typeof v !== 'number' || !Number.isInteger(v)) bad('an integer'); return
      case 'number': if (typeof v !== 'number') bad('a number'); return
      case 'intOrString': if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) bad('an integer or a string'); return
      case 'quantity':
        if (typeof v === 'number' || (typeof v === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munkMGTPE])?$/.test(v))) return
        bad('a quantity (e.g. 100m, 1Gi)')
        return
    }
  }
  if ('arr' in s) {
    if (!Array.isArray(v)) return bad('an array')
    v.forEach((x, i) => walk(x, s.arr, `${path}[${i}]`, r))
    return
  }
  if ('map' in s) {
    if (typeOf(v) !== 'object') return bad('an object')
    for (const [k, x] of Object.entries(v as Obj)) walk(x, s.map, `${path}.${k}`, r)
    return
  }
  if (typeOf(v) !== 'object') return bad('an object')
  for (const [k, x] of Object.entries(v as Obj)) {
    const fs = s.obj[k]
    const p = path ? `${path}.${k}` : k
    if (fs === undefined) {
      if (!s.open) r.unknownFields.push(p)
      continue
    }
    walk(x, fs, p, r)
  }
}

function req(r: ValidationResult, field: string, v: unknown): boolean {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
    r.causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' })
    return false
  }
  return true
}

function name(r: ValidationResult, field: string, v: unknown, re: RegExp, what: string, max: number): void {
  if (typeof v !== 'string') return
  if (v.length > max || !re.test(v)) {
    r.causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: "${v}": a lowercase RFC 1123 ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (at most ${max} characters)` })
  }
}

function invalid(r: ValidationResult, field: string, v: unknown, msg: string): void {
  r.causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(v)}: ${msg}` })
}

function labels(r: ValidationResult, field: string, m: unknown): void {
  if (!m || typeof m !== 'object') return
  for (const [k, v] of Object.entries(m as Obj)) {
    const [pfx, nm] = k.includes('/') ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)] : [undefined, k]
    if ((pfx !== undefined && !DNS1123_SUBDOMAIN.test(pfx)) || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(nm) || nm.length > 63) invalid(r, `${field}`, k, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character')
    if (typeof v === 'string' && (v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v))) invalid(r, `${field}`, v, 'a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\'')
  }
}

function port(r: ValidationResult, field: string, v: unknown, required = true): void {
  if (v === undefined) {
    if (required) req(r, field, v)
    return
  }
  if (typeof v === 'number' && (v < 1 || v > 65535)) invalid(r, field, v, 'must be between 1 and 65535, inclusive')
}

function podSpec(r: ValidationResult, p: string, s: Obj | undefined): void {
  if (!s || typeof s !== 'object') {
    req(r, p, s)
    return
  }
  if (req(r, `${p}.containers`, s.containers) && Array.isArray(s.containers)) {
    const seen = new Set<string>()
    const all = [...(s.containers as Obj[]).map((c, i) => [c, `${p}.containers[${i}]`] as const), ...((s.initContainers ?? []) as Obj[]).map((c, i) => [c, `${p}.initContainers[${i}]`] as const)]
    for (const [c, cp] of all) {
      if (!c || typeof c !== 'object') continue
      if (req(r, `${cp}.name`, c.name)) {
        name(r, `${cp}.name`, c.name, DNS1123_LABEL, 'label', 63)
        if (seen.has(c.name)) r.causes.push({ reason: 'FieldValueDuplicate', field: `${cp}.name`, message: `Duplicate value: "${c.name}"` })
        seen.add(c.name)
      }
      req(r, `${cp}.image`, c.image)
      ;(c.ports ?? []).forEach((pt: Obj, i: number) => port(r, `${cp}.ports[${i}].containerPort`, pt?.containerPort))
      ;(c.env ?? []).forEach((e: Obj, i: number) => {
        if (req(r, `${cp}.env[${i}].name`, e?.name) && typeof e.name === 'string' && !C_IDENT.test(e.name)) invalid(r, `${cp}.env[${i}].name`, e.name, 'a valid environment variable name must consist of alphabetic characters, digits, \'_\', \'-\', or \'.\', and must not start with a digit')
      })
    }
  }
  if (s.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(s.restartPolicy)) r.causes.push({ reason: 'FieldValueNotSupported', field: `${p}.restartPolicy`, message: `Unsupported value: "${s.restartPolicy}": supported values: "Always", "OnFailure", "Never"` })
  if (s.dnsPolicy !== undefined && !['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'].includes(s.dnsPolicy)) r.causes.push({ reason: 'FieldValueNotSupported', field: `${p}.dnsPolicy`, message: `Unsupported value: "${s.dnsPolicy}"` })
  if (typeof s.terminationGracePeriodSeconds === 'number' && s.terminationGracePeriodSeconds < 0) invalid(r, `${p}.terminationGracePeriodSeconds`, s.terminationGracePeriodSeconds, 'must be greater than or equal to 0')
  ;(s.volumes ?? []).forEach((v: Obj, i: number) => {
    if (req(r, `${p}.volumes[${i}].name`, v?.name)) name(r, `${p}.volumes[${i}].name`, v.name, DNS1123_LABEL, 'label', 63)
  })
}

function workload(r: ValidationResult, s: Obj | undefined, withReplicas: boolean, templateRequired = true): void {
  if (!s || typeof s !== 'object') {
    req(r, 'spec', s)
    return
  }
  if (withReplicas && typeof s.replicas === 'number' && s.replicas < 0) invalid(r, 'spec.replicas', s.replicas, 'must be greater than or equal to 0')
  if (req(r, 'spec.selector', s.selector) && typeof s.selector === 'object') {
    const sel = fromLabelSelector(s.selector)
    if (sel.length === 0) invalid(r, 'spec.selector', s.selector, 'empty selector is invalid for deployment')
    const tl = s.template?.metadata?.labels ?? {}
    if (sel.length > 0 && !matches(sel, (k) => tl[k])) invalid(r, 'spec.template.metadata.labels', tl, '`selector` does not match template `labels`')
  }
  if (templateRequired || s.template) podSpec(r, 'spec.template.spec', s.template?.spec)
  if (s.template?.metadata?.labels) labels(r, 'spec.template.metadata.labels', s.template.metadata.labels)
}

const RULES: Record<string, (o: Obj, r: ValidationResult) => void> = {
  pods: (o, r) => podSpec(r, 'spec', o.spec),
  services(o, r) {
    const s = o.spec ?? {}
    if (s.type !== undefined && !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(s.type)) r.causes.push({ reason: 'FieldValueNotSupported', field: 'spec.type', message: `Unsupported value: "${s.type}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"` })
    if (s.type === 'ExternalName') req(r, 'spec.externalName', s.externalName)
    else if (s.clusterIP !== 'None' && req(r, 'spec.ports', s.ports) && !Array.isArray(s.ports)) return
    const names = new Set<string>()
    ;(s.ports ?? []).forEach((p: Obj, i: number) => {
      port(r, `spec.ports[${i}].port`, p?.port)
      if (typeof p?.targetPort === 'number') port(r, `spec.ports[${i}].targetPort`, p.targetPort)
      if ((s.ports as unknown[]).length > 1) req(r, `spec.ports[${i}].name`, p?.name)
      if (p?.name) {
        if (names.has(p.name)) r.causes.push({ reason: 'FieldValueDuplicate', field: `spec.ports[${i}].name`, message: `Duplicate value: "${p.name}"` })
        names.add(p.name)
      }
      if (p?.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) r.causes.push({ reason: 'FieldValueNotSupported', field: `spec.ports[${i}].protocol`, message: `Unsupported value: "${p.protocol}": supported values: "SCTP", "TCP", "UDP"` })
    })
    if (s.selector) labels(r, 'spec.selector', s.selector)
  },
  deployments: (o, r) => workload(r, o.spec, true),
  replicasets: (o, r) => workload(r, o.spec, true),
  daemonsets: (o, r) => workload(r, o.spec, false),
  statefulsets: (o, r) => workload(r, o.spec, true),
  replicationcontrollers(o, r) {
    const s = o.spec ?? {}
    if (typeof s.replicas === 'number' && s.replicas < 0) invalid(r, 'spec.replicas', s.replicas, 'must be greater than or equal to 0')
    if (s.template) podSpec(r, 'spec.template.spec', s.template.spec)
  },
  jobs(o, r) {
    const s = o.spec
    if (!s) return void req(r, 'spec', s)
    podSpec(r, 'spec.template.spec', s.template?.spec)
    const rp = s.template?.spec?.restartPolicy
    if (rp !== undefined && rp !== 'OnFailure' && rp !== 'Never') r.causes.push({ reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: `Unsupported value: "${rp}": supported values: "OnFailure", "Never"` })
    for (const f of ['parallelism', 'completions', 'backoffLimit']) if (typeof s[f] === 'number' && s[f] < 0) invalid(r, `spec.${f}`, s[f], 'must be greater than or equal to 0')
  },
  configmaps(o, r) {
    for (const f of ['data', 'binaryData']) for (const k of Object.keys(o[f] ?? {})) if (!CONFIG_KEY.test(k)) invalid(r, `${f}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'")
  },
  secrets(o, r) {
    for (const f of ['data', 'stringData']) for (const k of Object.keys(o[f] ?? {})) if (!CONFIG_KEY.test(k)) invalid(r, `${f}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'")
  },
  events(o, r) {
    req(r, 'involvedObject', o.involvedObject)
    if (o.type !== undefined && o.type !== 'Normal' && o.type !== 'Warning') r.causes.push({ reason: 'FieldValueNotSupported', field: 'type', message: `Unsupported value: "${o.type}": supported values: "Normal", "Warning"` })
  },
  leases(o, r) {
    const s = o.spec ?? {}
    if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0) invalid(r, 'spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0')
  },
}

/** Names that must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['namespaces', 'services'])

/** Validate an object about to be stored (after defaults). */
export function validate(resource: string, obj: KObject, namespaced: boolean): ValidationResult {
  const r: ValidationResult = { causes: [], unknownFields: [] }
  const schema = SCHEMAS[resource]
  if (schema) walk(obj, schema, '', r)
  const m = (obj.metadata ?? {}) as Obj
  if (req(r, 'metadata.name', m.name)) {
    if (LABEL_NAMED.has(resource)) name(r, 'metadata.name', m.name, DNS1123_LABEL, 'label', 63)
    else name(r, 'metadata.name', m.name, DNS1123_SUBDOMAIN, 'subdomain', 253)
  }
  if (namespaced && m.namespace !== undefined) name(r, 'metadata.namespace', m.namespace, DNS1123_LABEL, 'label', 63)
  labels(r, 'metadata.labels', m.labels)
  ;((m.ownerReferences ?? []) as Obj[]).forEach((ref, i) => {
    for (const f of ['apiVersion', 'kind', 'name', 'uid']) req(r, `metadata.ownerReferences[${i}].${f}`, ref?.[f])
  })
  if (r.causes.length === 0) RULES[resource]?.(obj as Obj, r)
  return r
}
