import t from 'tap'
import { BackendPool } from '../../../runtime/lb/pool.ts'
import { isWatchRequest, LineSplitter, readWatchLine, resumeUrl } from '../../../runtime/lb/watch-resume.ts'
import { kubeconfigDocument } from '../../../runtime/kubeconfig.ts'

t.test('pool: round-robin over live instances', async (t) => {
  const p = new BackendPool([{ id: 'a', host: 'h', port: 1 }, { id: 'b', host: 'h', port: 2 }, { id: 'c', host: 'h', port: 3 }])
  t.same([p.next()?.id, p.next()?.id, p.next()?.id, p.next()?.id], ['a', 'b', 'c', 'a'])
  t.equal(p.report('b', false), undefined, 'one failed probe is not enough')
  t.equal(p.report('b', false), 'down')
  t.same([p.next()?.id, p.next()?.id, p.next()?.id], ['c', 'a', 'c'])
  t.equal(p.next(new Set(['a', 'c'])), undefined)
  t.equal(p.report('b', true), 'up')
  t.equal(p.fail('a'), 'down')
  t.equal(p.fail('a'), undefined)
  t.notOk(p.isUp('a'))
  p.set([{ id: 'a', host: 'h', port: 1 }, { id: 'd', host: 'h', port: 4 }])
  t.notOk(p.isUp('a'), 'health kept across set()')
  t.ok(p.isUp('d'))
})

t.test('watch resume helpers', async (t) => {
  t.ok(isWatchRequest('GET', '/api/v1/pods?watch=true'))
  t.ok(isWatchRequest('GET', '/api/v1/watch/pods'))
  t.notOk(isWatchRequest('GET', '/api/v1/pods'))
  t.notOk(isWatchRequest('POST', '/api/v1/pods?watch=true'))
  const s = new LineSplitter()
  t.same(s.push('{"a":1}\n{"b"'), ['{"a":1}'])
  t.same(s.push(':2}\n'), ['{"b":2}'])
  t.same(readWatchLine('{"type":"ADDED","object":{"metadata":{"resourceVersion":"12"}}}'), { type: 'ADDED', resourceVersion: '12' })
  t.same(readWatchLine('{"type":"MODIFIED","object":{"kind":"Table","metadata":{"resourceVersion":"3"},"rows":[{"object":{"metadata":{"resourceVersion":"14"}}}]}}'), { type: 'MODIFIED', resourceVersion: '14' })
  t.same(readWatchLine('{"type":"ERROR","object":{"kind":"Status","code":410}}'), { type: 'ERROR', errorCode: 410 })
  t.same(readWatchLine('garbage'), {})
  t.equal(resumeUrl('/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersion=1&labelSelector=a%3Db', '9'), '/api/v1/pods?watch=true&resourceVersion=9&labelSelector=a%3Db')
})

t.test('kubeconfig', async (t) => {
  const doc = kubeconfigDocument({ port: 6443, token: 'tok' }) as any
  t.same(doc.clusters[0].cluster, { server: 'http://127.0.0.1:6443', 'insecure-skip-tls-verify': true })
  t.equal(doc['current-context'], 'actorkube')
  t.same(doc.users[0].user, { token: 'tok' })
  t.same((kubeconfigDocument({ port: 1 }) as any).users[0].user, {})
})
