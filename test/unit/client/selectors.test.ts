import t from 'tap'
import { formatLabelSelector, labelSelectorMatcher, parseFieldSelector, parseLabelSelector } from '../../../actors/client/selectors.ts'
import type { KObject } from '../../../protocols/k8s.ts'

t.test('label selector strings (table)', async (t) => {
  const labels = { app: 'web', tier: 'front', env: 'prod' }
  const table: Array<[string, boolean]> = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['env in (prod,staging)', true],
    ['env in (dev)', false],
    ['env notin (dev, test)', true],
    ['missing notin (x)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,env in (prod),!missing', true],
  ]
  for (const [sel, want] of table) t.equal(parseLabelSelector(sel)(labels), want, JSON.stringify(sel))
  t.throws(() => parseLabelSelector('app=(x'), { code: 'SELECTOR_INVALID' })
})

t.test('LabelSelector objects and their string form', async (t) => {
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In' as const, values: ['prod'] }, { key: 'canary', operator: 'DoesNotExist' as const }] }
  const m = labelSelectorMatcher(sel)
  t.ok(m({ app: 'web', env: 'prod' }))
  t.notOk(m({ app: 'web', env: 'prod', canary: 'y' }))
  t.notOk(m({ app: 'web' }))
  t.ok(labelSelectorMatcher({})({ any: 'x' }), 'empty selector matches everything')
  t.notOk(labelSelectorMatcher(undefined)({ any: 'x' }), 'absent selector matches nothing')
  const s = formatLabelSelector(sel)
  t.equal(s, 'app=web,env in (prod),!canary')
  t.ok(parseLabelSelector(s)({ app: 'web', env: 'prod' }))
})

t.test('field selectors', async (t) => {
  const pod: KObject = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } }
  t.ok(parseFieldSelector('spec.nodeName=n1')(pod))
  t.notOk(parseFieldSelector('spec.nodeName=n2')(pod))
  t.ok(parseFieldSelector('status.phase!=Failed,metadata.namespace=ns')(pod))
  t.ok(parseFieldSelector('spec.schedulerName=')(pod), 'absent field equals empty')
  t.throws(() => parseFieldSelector('spec.nodeName in (a)'), { code: 'SELECTOR_INVALID' })
})
