import t from 'tap'
import { authenticate, parseTokenFile } from '../../../actors/apiserver/http/auth.ts'
import { healthAnswer, VERSION_INFO } from '../../../actors/apiserver/http/health.ts'

t.test('token file and bearer tokens', async (t) => {
  const tokens = parseTokenFile('# comment\n\nsecret1,alice,u1,"system:masters,dev"\nsecret2,bob,u2\nbroken\n')
  t.same(tokens, [{ token: 'secret1', user: 'alice', uid: 'u1', groups: ['system:masters', 'dev'] }, { token: 'secret2', user: 'bob', uid: 'u2', groups: [] }])
  t.same(authenticate(tokens, 'Bearer secret2'), { user: 'bob' })
  t.equal(authenticate(tokens, 'Bearer nope'), undefined)
  t.equal(authenticate(tokens, undefined), undefined)
  t.equal(authenticate(tokens, 'Basic c2VjcmV0MQ=='), undefined)
  t.ok(authenticate(undefined, undefined), 'no tokens configured: open')
})

t.test('health and version', async (t) => {
  t.same(healthAnswer('healthz', true, false), { code: 200, text: 'ok' })
  const v = healthAnswer('readyz', true, true)
  t.equal(v.code, 200)
  t.match(v.text, /^\[\+\]ping ok\n[\s\S]*\[\+\]etcd-readiness ok\n[\s\S]*readyz check passed\n$/)
  const down = healthAnswer('readyz', false, false)
  t.equal(down.code, 500)
  t.match(down.text, /\[-\]etcd-readiness failed: reason withheld[\s\S]*readyz check failed/)
  t.equal(healthAnswer('livez', false, false).code, 200, 'live even without etcd')
  t.same(healthAnswer('healthz', true, false, 'etcd'), { code: 200, text: 'ok' })
  t.equal(healthAnswer('healthz', true, false, 'bogus').code, 404)
  t.equal(VERSION_INFO.major, '1')
  t.equal(VERSION_INFO.minor, '32')
  t.equal(VERSION_INFO.gitVersion, 'v1.32.0')
})
