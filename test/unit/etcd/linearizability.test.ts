import t from 'tap'
import { checkKv, type KvOperation } from '../../helpers/linearizability.ts'

const put = (value: string, call: number, ret: number): KvOperation => ({ key: 'k', input: { kind: 'put', value }, call, ret })
const get = (output: string | null, call: number, ret: number): KvOperation => ({ key: 'k', input: { kind: 'get' }, output, call, ret })

t.test('accepts linearizable histories, rejects stale reads and lost writes', async (t) => {
  t.ok(checkKv([put('a', 0, 10), get('a', 11, 12)]).ok)
  t.ok(checkKv([put('a', 0, 10), get(null, 5, 6), get('a', 7, 8)]).ok, 'concurrent read may see the old value')
  t.notOk(checkKv([put('a', 0, 10), get(null, 11, 12)]).ok, 'stale read after the write returned')
  t.notOk(checkKv([put('a', 0, 10), get('a', 11, 12), get(null, 13, 14)]).ok, 'value went back')
  t.notOk(checkKv([put('a', 0, 1), put('b', 2, 3), get('b', 4, 5), get('a', 6, 7)]).ok, 'reads out of order')
  t.ok(checkKv([put('a', 0, 1), put('b', 2, 3), get('b', 4, 5), get('b', 6, 7)]).ok)
})

t.test('timeouts count as maybe applied', async (t) => {
  t.ok(checkKv([put('a', 0, Infinity), get('a', 5, 6)]).ok, 'applied')
  t.ok(checkKv([put('a', 0, Infinity), get(null, 5, 6)]).ok, 'not applied')
  t.ok(checkKv([put('a', 0, Infinity), get(null, 5, 6), get('a', 7, 8)]).ok, 'applied late')
  t.notOk(checkKv([put('a', 0, Infinity), get('a', 5, 6), get(null, 7, 8)]).ok, 'applied then gone')
  t.notOk(checkKv([get('x', 0, 1)]).ok, 'a value nobody wrote')
})

t.test('per key: a bad key is named', async (t) => {
  const h = [put('a', 0, 1), { ...get(null, 2, 3), key: 'other' }, { ...put('z', 0, 1), key: 'bad' }, { ...get(null, 2, 3), key: 'bad' }]
  t.same(checkKv(h).badKeys, ['bad'])
})
