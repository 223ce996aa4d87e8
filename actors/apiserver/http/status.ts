// metav1.Status answers, as kube-apiserver builds them.
import type { Status, StatusCause } from '../../../protocols/k8s.ts'

const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
}

export function statusError(code: number, message: string, opts: { reason?: string; details?: Status['details'] } = {}): Status {
  const s: Status = {
    apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message,
    reason: opts.reason ?? REASONS[code] ?? 'Unknown', code,
  }
  if (opts.details) s.details = opts.details
  return s
}

export function badRequest(message: string, causes?: StatusCause[]): Status {
  return statusError(400, message, causes ? { details: { causes } } : {})
}

export function notFound(message: string, details?: Status['details']): Status {
  return statusError(404, message, { details })
}

export function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status'
}

export function success(details?: Status['details']): Status {
  const s: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 200 }
  if (details) s.details = details
  return s
}
