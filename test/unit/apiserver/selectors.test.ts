import t from 'tap'
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, fromLabelSelector, matches } from '../../../actors/apiserver/selectors.ts'
import { ApiError } from '../../../actors/apiserver/errors.ts'
import type { KObject } from '../../../protocols/k8s.ts'

function throwsWhere(fn: () => unknown, ok: (e: unknown) => boolean): boolean {
  try {
    fn()
  } catch (e) {
    return ok(e)
  }
  return false
}


const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KObject => ({ metadata: { name: 'n', namespace: 'ns', labels }, ...extra })

t.test('label selectors: equality and set-based', async (t) => {
  const o = obj({ app: 'web', tier: 'front', 'example.com/x': 'y' })
  const table: Array<[string, boolean]> = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=db', false],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['missing', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app=web,tier in (front, back),example.com/x=y', true],
    ['app=web,tier=back', false],
  ]
  for (const [s, want] of table) t.equal(matchLabels(parseLabelSelector(s), o), want, s)
})

t.test('label selector parse errors are 400s naming the selector', async (t) => {
  for (const s of ['app in (web', 'a=b=c', 'in in', '=x', 'app=we b']) {
    t.ok(throwsWhere(() => parseLabelSelector(s), (e: unknown) => e instanceof ApiError && e.status.code === 400 && e.status.details?.causes?.[0]?.field === 'labelSelector'), s)
  }
})

t.test('metav1.LabelSelector', async (t) => {
  const sel = fromLabelSelector({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'x', operator: 'DoesNotExist' }] })
  t.ok(matches(sel, (k) => ({ app: 'a', env: 'prod' } as Record<string, string>)[k]))
  t.notOk(matches(sel, (k) => ({ app: 'a', env: 'dev' } as Record<string, string>)[k]))
})

t.test('field selectors per kind', async (t) => {
  const p = obj({}, { spec: { nodeName: 'node-1', schedulerName: 'default-scheduler' }, status: { phase: 'Running' } })
  t.ok(matchFields(parseFieldSelector('spec.nodeName=node-1,status.phase!=Pending', 'pods'), p))
  t.notOk(matchFields(parseFieldSelector('spec.nodeName=', 'pods'), p), 'unscheduled pods selector')
  t.ok(matchFields(parseFieldSelector('spec.nodeName=', 'pods'), obj({}, { spec: {} })))
  t.ok(matchFields(parseFieldSelector('metadata.name=n,metadata.namespace=ns', 'configmaps'), p))
  const ev = obj({}, { involvedObject: { kind: 'Pod', name: 'web-1' }, type: 'Warning' })
  t.ok(matchFields(parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=web-1,type=Warning', 'events'), ev))
  t.ok(throwsWhere(() => parseFieldSelector('spec.nodeName=x', 'configmaps'), (e: unknown) => e instanceof ApiError && e.status.code === 400))
  t.ok(throwsWhere(() => parseFieldSelector('garbage', 'pods'), (e: unknown) => e instanceof ApiError && e.status.code === 400))
})
