// ApiError: a failed API call, with a stable code derived from the server's Status.
import { ActorkubeError } from '../../runtime/errors.ts'
import type { Status } from '../../protocols/k8s.ts'
import type { ApiErrorLike } from './types.ts'

export type ApiErrorCode =
  | 'API_NOT_FOUND' | 'API_CONFLICT' | 'API_ALREADY_EXISTS' | 'API_INVALID' | 'API_BAD_REQUEST'
  | 'API_GONE' | 'API_FORBIDDEN' | 'API_TOO_MANY_REQUESTS' | 'API_UNAVAILABLE' | 'API_ERROR'

export function codeForStatus(s: Status): ApiErrorCode {
  switch (s.code) {
    case 400: return 'API_BAD_REQUEST'
    case 401:
    case 403: return 'API_FORBIDDEN'
    case 404: return 'API_NOT_FOUND'
    case 409: return s.reason === 'AlreadyExists' ? 'API_ALREADY_EXISTS' : 'API_CONFLICT'
    case 410: return 'API_GONE'
    case 422: return 'API_INVALID'
    case 429: return 'API_TOO_MANY_REQUESTS'
    case 503: return 'API_UNAVAILABLE'
    default: return 'API_ERROR'
  }
}

export function statusOf(code: number, reason: string, message: string): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code, reason, message }
}

export class ApiError extends ActorkubeError implements ApiErrorLike {
  static override captureStack = false
  readonly status: Status
  constructor(status: Status, options?: { cause?: unknown }) {
    super(codeForStatus(status), status.message ?? `api error ${status.code}`, options)
    this.status = status
  }
}

export class ApiUnavailableError extends ApiError {
  constructor(tried: string[], options?: { cause?: unknown }) {
    super(statusOf(503, 'ServiceUnavailable', `no API server answered (tried ${tried.join(', ')})`), options)
  }
}

export function isApiError(e: unknown, code?: ApiErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code)
}
