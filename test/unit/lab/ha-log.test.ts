import t from 'tap'
import { EventEmitter } from 'node:events'
import { attachHaLog, haRecord } from '../../../runtime/lab/ha-log.ts'

t.test('reports and lifecycle events become ha.failover records with the stable fields', async (t) => {
  const sup = new EventEmitter()
  const logged: Array<[object, string]> = []
  const log = { info: (o: object, m: string) => void logged.push([o, m]), warn: (o: object, m: string) => void logged.push([o, m]) }
  let now = 0
  attachHaLog(sup, log, { now: () => now })
  sup.emit('report', 'scheduler-0', { info: { leader: true, holder: 'scheduler-0' } })
  now = 1000
  sup.emit('event', { time: 1000, event: 'actor.crashed', actor: 'scheduler-0' })
  now = 2800
  sup.emit('report', 'scheduler-1', { info: { leader: true, holder: 'scheduler-1' } })
  t.same(logged, [[{ event: 'ha.failover', component: 'scheduler', from: 'scheduler-0', to: 'scheduler-1', gapMs: 1800 }, 'ha.failover']])
})

t.test('etcd records name the shard and term', async (t) => {
  t.same(haRecord({ time: 5, event: 'ha.failover', component: 'etcd/main', from: 'etcd-main-0', to: 'etcd-main-1', gapMs: 400, term: 3 }), {
    event: 'ha.failover', shard: 'main', from: 'etcd-main-0', to: 'etcd-main-1', gapMs: 400, term: 3,
  })
})
