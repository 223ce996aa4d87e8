// Kubernetes Status objects for every refusal, and the error class that carries one.
import { ActorkubeError } from '../../runtime/errors.ts'
import type { Status, StatusCause } from '../../protocols/k8s.ts'

const codes: Record<number, string> = {
  400: 'API_BAD_REQUEST', 403: 'API_FORBIDDEN', 404: 'API_NOT_FOUND', 405: 'API_METHOD_NOT_ALLOWED',
  409: 'API_CONFLICT', 410: 'API_GONE', 415: 'API_UNSUPPORTED_MEDIA', 422: 'API_INVALID',
  429: 'API_TOO_MANY_REQUESTS', 500: 'API_INTERNAL', 503: 'API_UNAVAILABLE', 504: 'API_TIMEOUT',
}

/** A refusal with its Status; the server turns it into an ApiReply. */
export class ApiError extends ActorkubeError {
  static override captureStack = false
  readonly status: Status
  constructor(status: Status) {
    super(codes[status.code] ?? 'API_ERROR', status.message ?? status.reason ?? 'error')
    this.status = status
  }
}

export interface Who {
  kind: string
  name?: string
  group?: string
}

function status(code: number, reason: string, message: string, details?: Status['details']): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code }
}

const res = (w: Who): string => (w.group ? `${w.kind}.${w.group}` : w.kind)

export const notFound = (w: Who): ApiError =>
  new ApiError(status(404, 'NotFound', `${res(w)} "${w.name ?? ''}" not found`, { name: w.name, group: w.group, kind: w.kind }))

export const alreadyExists = (w: Who): ApiError =>
  new ApiError(status(409, 'AlreadyExists', `${res(w)} "${w.name ?? ''}" already exists`, { name: w.name, group: w.group, kind: w.kind }))

export const conflict = (w: Who, why: string): ApiError =>
  new ApiError(status(409, 'Conflict', `Operation cannot be fulfilled on ${res(w)} "${w.name ?? ''}": ${why}`, { name: w.name, group: w.group, kind: w.kind }))

export const invalid = (w: Who, causes: StatusCause[], kindName?: string): ApiError =>
  new ApiError(status(422, 'Invalid',
    `${kindName ?? w.kind} "${w.name ?? ''}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    { name: w.name, group: w.group, kind: kindName ?? w.kind, causes }))

export const badRequest = (message: string, causes?: StatusCause[]): ApiError =>
  new ApiError(status(400, 'BadRequest', message, causes ? { causes } : undefined))

export const forbidden = (w: Who, why: string): ApiError =>
  new ApiError(status(403, 'Forbidden', `${res(w)} "${w.name ?? ''}" is forbidden: ${why}`, { name: w.name, group: w.group, kind: w.kind }))

export const methodNotAllowed = (message: string): ApiError => new ApiError(status(405, 'MethodNotAllowed', message))

export const gone = (message: string): ApiError => new ApiError(status(410, 'Expired', message))

/** 503; with `retryAfterSeconds`, the Status says when to ask again (a Retry-After header over HTTP). */
export const unavailable = (message: string, retryAfterSeconds?: number): ApiError => new ApiError(retryAfter(status(503, 'ServiceUnavailable', message), retryAfterSeconds))

/** A list for the watch cache of `resource` while it is being filled: 503, ask again in a second. */
export const storageInitializing = (resource: string): ApiError => unavailable(`storage is (re)initializing: ${resource}`, 1)

export const timeout = (message: string): ApiError => new ApiError(status(504, 'Timeout', message))

export const internal = (message: string): ApiError => new ApiError(status(500, 'InternalError', message))

/** 429; with `retryAfterSeconds`, as unavailable(). */
export const tooManyRequests = (message: string, retryAfterSeconds?: number): ApiError => new ApiError(retryAfter(status(429, 'TooManyRequests', message), retryAfterSeconds))

function retryAfter(st: Status, retryAfterSeconds: number | undefined): Status {
  if (retryAfterSeconds !== undefined) st.details = { ...st.details, retryAfterSeconds }
  return st
}

export function successStatus(details?: Status['details']): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', ...(details ? { details } : {}), code: 200 }
}

/** Any thrown value as a Status (bugs become 500s for the caller; the log keeps the cause). */
export function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return err.status
  const msg = err instanceof Error ? err.message : String(err)
  return status(500, 'InternalError', msg)
}
