// Two gateways over one store behind the load balancer: kill the instance a `kubectl get pods
// --watch` streams from; the stream continues through the other and no event is lost.
import t from 'tap'
import { startLoadBalancer } from '../../../runtime/lb/index.ts'
import { eventually, kubectlFor } from '../../helpers/kubectl.ts'
import { MemoryCore, startMemoryGateway } from '../../helpers/memory-core.ts'

t.test('watch survives the death of its apiserver instance', async (t) => {
  const core = new MemoryCore()
  const a = await startMemoryGateway({ core })
  const b = await startMemoryGateway({ core })
  t.teardown(() => a.close())
  t.teardown(() => b.close())
  const lb = await startLoadBalancer({ port: 0, backends: [{ id: 'apiserver-0', host: '127.0.0.1', port: a.port }, { id: 'apiserver-1', host: '127.0.0.1', port: b.port }], healthIntervalMs: 200 })
  t.teardown(() => lb.close())
  const k = await kubectlFor(lb.port)
  t.teardown(() => k.cleanup())

  const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n`
  t.equal((await k.run(['create', '-f', '-'], { stdin: pod('before') })).code, 0)
  const w = k.spawn(['get', 'pods', '--watch'])
  t.teardown(w.stop)
  t.ok(await eventually(() => a.counting.openWatches + b.counting.openWatches === 1, 10_000), 'one watch open')
  const [serving, other] = a.counting.openWatches === 1 ? [a, b] : [b, a]
  t.ok(await eventually(() => /before\s+0\/1/.test(w.output())), 'initial row')

  await serving.kill()
  // Events while the watch is moving: they must be replayed from the last resourceVersion.
  for (const n of ['during-0', 'during-1']) await core.handle({ type: 'api.create', group: '', version: 'v1', resource: 'pods', namespace: 'default', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: n }, spec: { containers: [{ name: 'c', image: 'x' }] } } })
  t.ok(await eventually(() => other.counting.openWatches === 1, 10_000), 'the watch moved to the live instance')
  t.equal((await k.run(['create', '-f', '-'], { stdin: pod('after') })).code, 0, 'writes go to the live instance')
  t.ok(await eventually(() => ['during-0', 'during-1', 'after'].every((n) => new RegExp(`\\n${n}\\s+0/1`).test(w.output())), 10_000), `every event arrives:\n${w.output()}`)
  t.equal(w.proc.exitCode, null, 'kubectl is still watching')
  const rows = w.output().split('\n').filter((l) => /^(before|during|after)/.test(l))
  t.equal(rows.filter((l) => l.startsWith('before')).length, 1, 'no duplicate rows')
})
