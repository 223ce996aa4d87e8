import t from 'tap'
import { ApiError, notFound, storageInitializing, toStatus, tooManyRequests } from '../../../actors/apiserver/errors.ts'
import { ApiUnavailableError } from '../../../actors/client/errors.ts'
import { ActorkubeError, AskTimeoutError } from '../../../runtime/errors.ts'
import { DiskFailedError } from '../../../runtime/faults/faulty-disk.ts'

t.test('API errors carry their Status and no captured stack; other errors keep theirs', async (t) => {
  const e = tooManyRequests('Too many requests, please try again later.', 1)
  t.ok(e instanceof ApiError)
  t.equal(e.code, 'API_TOO_MANY_REQUESTS')
  t.same(toStatus(e).details, { retryAfterSeconds: 1 })
  t.notMatch(e.stack ?? '', /\n\s+at /, 'no stack frames captured')
  const si = storageInitializing('pods')
  t.equal(si.status.code, 503)
  t.same(si.status.details, { retryAfterSeconds: 1 })
  const nf = notFound({ kind: 'pods', name: 'web' })
  t.equal(nf.status.code, 404)
  t.notMatch(nf.stack ?? '', /\n\s+at /)
  t.match(new Error('boom').stack ?? '', /\n\s+at /, 'the stack trace limit is put back')
  // The client's API errors and ask timeouts are answers too; other errors keep their stack.
  const u = new ApiUnavailableError(['apiserver-0'])
  t.equal(u.code, 'API_UNAVAILABLE')
  t.notMatch(u.stack ?? '', /\n\s+at /)
  t.notMatch(new AskTimeoutError('etcd-main-0', 'kv.range', 500).stack ?? '', /\n\s+at /)
  t.match(new DiskFailedError('write').stack ?? '', /\n\s+at /, 'a fault keeps its stack')
  t.match(new ActorkubeError('X', 'y').stack ?? '', /\n\s+at /)
})
