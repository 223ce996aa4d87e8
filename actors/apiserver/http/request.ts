// Pure: a resource route, the HTTP method and the decoded body into an ApiCall or ApiWatch,
// validating query options (bad ones are 400 Status answers, never exceptions).
import type { ApiCall } from '../types.ts'
import type { ApiWatch, DeleteOptions, PatchType } from '../../../protocols/api.ts'
import type { KObject, Status } from '../../../protocols/k8s.ts'
import type { Route } from './route.ts'
import { badRequest, statusError } from './status.ts'
import { parseFieldSelector, parseLabelSelector } from '../selectors.ts'
import { ApiError } from '../errors.ts'
import { isPlainObject } from './body.ts'
import { apiVersionOf } from './kinds.ts'

type ResourceRoute = Extract<Route, { kind: 'resource' }>

export type Planned =
  | { type: 'call'; call: ApiCall }
  | { type: 'watch'; watch: Omit<ApiWatch, 'watchId'> }
  | { type: 'log'; call: ApiCall; follow: boolean }
  | { type: 'metrics'; resource: 'nodes' | 'pods'; namespace?: string; name?: string; labelSelector?: string }
  | { type: 'error'; status: Status }

const FIELD_VALIDATION = new Set(['Strict', 'Warn', 'Ignore'])
const PROPAGATION = new Set(['Orphan', 'Background', 'Foreground'])

function intParam(q: URLSearchParams, name: string): number | undefined | Status {
  const v = q.get(name)
  if (v === null || v === '') return undefined
  if (!/^-?\d+$/.test(v)) return badRequest(`invalid value for ${name}: "${v}" is not an integer`, [{ reason: 'FieldValueInvalid', field: name, message: `"${v}" is not an integer` }])
  return Number(v)
}

const isStatus = (x: unknown): x is Status => isPlainObject(x) && x.kind === 'Status'

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1'
}

export function needsBody(method: string, route: ResourceRoute): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || (method === 'DELETE' && route.name !== undefined)
}

export function planRequest(method: string, route: ResourceRoute, body: unknown, patchType?: PatchType): Planned {
  const q = route.query
  const { info } = route
  const ref = { group: info.group, version: info.version, resource: info.plural }
  const ns = info.namespaced ? route.namespace : undefined
  const base = ns !== undefined ? { ...ref, namespace: ns } : ref
  const fieldValidation = q.get('fieldValidation') ?? undefined
  if (fieldValidation !== undefined && !FIELD_VALIDATION.has(fieldValidation)) {
    return { type: 'error', status: badRequest(`fieldValidation parameter unsupported: ${fieldValidation}`, [{ reason: 'FieldValueNotSupported', field: 'fieldValidation', message: `supported values: "Ignore", "Strict", "Warn"` }]) }
  }
  const fv = fieldValidation as 'Strict' | 'Warn' | 'Ignore' | undefined
  const fieldManager = q.get('fieldManager') ?? undefined
  const dryRun = q.getAll('dryRun')
  for (const d of dryRun) if (d !== 'All') return { type: 'error', status: badRequest(`Invalid dryRun value: ${d}`, [{ reason: 'FieldValueNotSupported', field: 'dryRun', message: 'supported values: "All"' }]) }
  const labelSelector = q.get('labelSelector') ?? undefined
  const fieldSelector = q.get('fieldSelector') ?? undefined
  try {
    parseLabelSelector(labelSelector)
    parseFieldSelector(fieldSelector, info.plural)
  } catch (err) {
    if (err instanceof ApiError) return { type: 'error', status: err.status }
    throw err
  }
  const limit = intParam(q, 'limit')
  const timeoutSeconds = intParam(q, 'timeoutSeconds')
  const grace = intParam(q, 'gracePeriodSeconds')
  for (const v of [limit, timeoutSeconds, grace]) if (isStatus(v)) return { type: 'error', status: v }
  const rv = q.get('resourceVersion') ?? undefined
  const listOpts = {
    ...(labelSelector ? { labelSelector } : {}),
    ...(fieldSelector ? { fieldSelector } : {}),
    ...(rv !== undefined ? { resourceVersion: rv } : {}),
    ...(typeof limit === 'number' ? { limit } : {}),
    ...(q.get('continue') ? { continue: q.get('continue') as string } : {}),
  }
  const isWatch = route.watchPath || truthy(q.get('watch'))
  const noBody = (): Planned => ({ type: 'error', status: badRequest('the body of the request must be a JSON object') })

  if (info.metrics) {
    if (method !== 'GET' || isWatch) return { type: 'error', status: statusError(405, `the server does not allow this method on the requested resource`) }
    if (route.subresource) return { type: 'error', status: statusError(404, 'the server could not find the requested resource') }
    return { type: 'metrics', resource: info.plural as 'nodes' | 'pods', ...(ns !== undefined ? { namespace: ns } : {}), ...(route.name !== undefined ? { name: route.name } : {}), ...(labelSelector ? { labelSelector } : {}) }
  }
  switch (method) {
    case 'GET': {
      if (info.createOnly) return { type: 'error', status: statusError(405, `the server does not allow this method on the requested resource`) }
      if (isWatch) {
        let fs = listOpts.fieldSelector
        if (route.name !== undefined) fs = [`metadata.name=${route.name}`, fs].filter(Boolean).join(',')
        const w: Omit<ApiWatch, 'watchId'> = {
          type: 'api.watch', ...base, ...listOpts,
          ...(fs ? { fieldSelector: fs } : {}),
          allowWatchBookmarks: truthy(q.get('allowWatchBookmarks')),
          sendInitialEvents: q.has('sendInitialEvents') ? truthy(q.get('sendInitialEvents')) : rv === undefined || rv === '' || rv === '0',
          ...(typeof timeoutSeconds === 'number' ? { timeoutSeconds } : {}),
        }
        return { type: 'watch', watch: w }
      }
      if (route.name === undefined) return { type: 'call', call: { type: 'api.list', ...base, ...listOpts } }
      if (route.subresource === 'log') {
        // container and previous travel as extra fields of the get (the core reads them; tailLines is applied here).
        const container = q.get('container')
        const logGet = { type: 'api.get' as const, ...base, name: route.name, subresource: 'log', ...(container ? { container } : {}), ...(truthy(q.get('previous')) ? { previous: true } : {}) }
        return { type: 'log', call: logGet, follow: truthy(q.get('follow')) }
      }
      return { type: 'call', call: { type: 'api.get', ...base, name: route.name, ...(route.subresource ? { subresource: route.subresource } : {}) } }
    }
    case 'POST': {
      if (!isPlainObject(body)) return noBody()
      const obj = body as KObject
      if (info.plural === 'bindings' && info.group === '') {
        // POST namespaces/NS/bindings is pods/NAME/binding with the name from the body.
        const name = isPlainObject(obj.metadata) ? obj.metadata.name : undefined
        if (typeof name !== 'string' || name === '') return { type: 'error', status: statusError(422, 'Binding "" is invalid: metadata.name: Required value: name is required', { details: { kind: 'Binding', causes: [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name is required' }] } }) }
        return { type: 'call', call: { type: 'api.create', group: '', version: 'v1', resource: 'pods', ...(ns !== undefined ? { namespace: ns } : {}), name, subresource: 'binding', body: obj, fieldManager, fieldValidation: fv, ...(dryRun.length ? { dryRun: true } : {}) } }
      }
      if (route.name !== undefined && route.subresource === undefined) return { type: 'error', status: statusError(405, 'the server does not allow this method on the requested resource') }
      const call: ApiCall = { type: 'api.create', ...base, body: obj, ...(fieldManager ? { fieldManager } : {}), ...(fv ? { fieldValidation: fv } : {}), ...(dryRun.length ? { dryRun: true } : {}) }
      if (route.name !== undefined) Object.assign(call, { name: route.name, subresource: route.subresource })
      return { type: 'call', call }
    }
    case 'PUT': {
      if (route.name === undefined) return { type: 'error', status: statusError(405, 'the server does not allow this method on the requested resource') }
      if (!isPlainObject(body)) return noBody()
      return { type: 'call', call: { type: 'api.update', ...base, name: route.name, ...(route.subresource ? { subresource: route.subresource } : {}), body: body as KObject, ...(fieldManager ? { fieldManager } : {}), ...(fv ? { fieldValidation: fv } : {}) } }
    }
    case 'PATCH': {
      if (route.name === undefined) return { type: 'error', status: statusError(405, 'the server does not allow this method on the requested resource') }
      if (patchType === 'json' ? !Array.isArray(body) : !isPlainObject(body)) {
        return { type: 'error', status: badRequest(patchType === 'json' ? 'the patch must be a JSON array of operations' : 'the patch must be a JSON object') }
      }
      if (patchType === 'apply' && !fieldManager) {
        return { type: 'error', status: badRequest('PATCH, application/apply-patch+yaml requests must have a fieldManager', [{ reason: 'FieldValueRequired', field: 'fieldManager', message: 'is required for apply patch' }]) }
      }
      return { type: 'call', call: { type: 'api.patch', ...base, name: route.name, ...(route.subresource ? { subresource: route.subresource } : {}), patchType: patchType ?? 'merge', patch: body, ...(fieldManager ? { fieldManager } : {}), ...(truthy(q.get('force')) ? { force: true } : {}), ...(fv ? { fieldValidation: fv } : {}) } }
    }
    case 'DELETE': {
      const opts: DeleteOptions = {}
      if (isPlainObject(body)) {
        const b = body as Record<string, unknown>
        if (b.propagationPolicy !== undefined) opts.propagationPolicy = b.propagationPolicy as DeleteOptions['propagationPolicy']
        if (b.gracePeriodSeconds !== undefined) opts.gracePeriodSeconds = b.gracePeriodSeconds as number
        if (isPlainObject(b.preconditions)) opts.preconditions = b.preconditions as DeleteOptions['preconditions']
        if (Array.isArray(b.dryRun)) opts.dryRun = b.dryRun as string[]
        if (b.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan'
      } else if (body !== undefined) return noBody()
      const pp = q.get('propagationPolicy')
      if (pp !== null) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy']
      if (typeof grace === 'number') opts.gracePeriodSeconds = grace
      if (dryRun.length) opts.dryRun = dryRun
      if (opts.propagationPolicy !== undefined && !PROPAGATION.has(opts.propagationPolicy)) {
        return { type: 'error', status: badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}"`, [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: 'supported values: "Foreground", "Background", "Orphan"' }]) }
      }
      if (opts.gracePeriodSeconds !== undefined && (typeof opts.gracePeriodSeconds !== 'number' || !Number.isInteger(opts.gracePeriodSeconds))) {
        return { type: 'error', status: badRequest('gracePeriodSeconds must be an integer', [{ reason: 'FieldValueInvalid', field: 'gracePeriodSeconds', message: 'must be an integer' }]) }
      }
      const options = Object.keys(opts).length ? { options: opts } : {}
      if (route.name === undefined) return { type: 'call', call: { type: 'api.deletecollection', ...base, ...listOpts, ...options } }
      return { type: 'call', call: { type: 'api.delete', ...base, name: route.name, ...options } }
    }
    default:
      return { type: 'error', status: statusError(405, `the server does not allow this method on the requested resource`) }
  }
}

export { apiVersionOf }
