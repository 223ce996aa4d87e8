// Stock kubectl against the whole stack (etcd, apiserver, controller-manager, scheduler,
// kubelets in one thread): rollout history and undo, describe node, --watch on deployments and
// events, logs -f from a sim pod, generator-free day-two commands.
import t from 'tap'
import { rangePrefix, smallTopology, startLocalCluster } from '../../helpers/local-cluster.ts'
import { eventually, kubectlFor } from '../../helpers/kubectl.ts'

const TOPOLOGY = smallTopology('kubectl-stack')

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`

t.test('kubectl day-two commands against the whole stack', async (t) => {
  const c = await startLocalCluster(TOPOLOGY)
  t.teardown(() => c.stop())
  t.ok(await c.sys.waitFor(() => c.sys.reports.get('apiserver-0')?.ready === true, 20_000), 'apiserver ready')
  const k = await kubectlFor(c.apiPort())
  t.teardown(() => k.cleanup())
  const ok = async (args: string[], stdin?: string) => {
    const r = await k.run(args, { stdin })
    if (r.code !== 0) t.fail(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout
  }
  t.ok(await eventually(async () => (await k.run(['get', 'nodes'])).stdout.split('\n').filter((l) => / Ready /.test(l)).length === 2, 20_000), 'both nodes Ready')

  const deployWatch = k.spawn(['get', 'deployments', '--watch'])
  t.teardown(deployWatch.stop)
  const eventWatch = k.spawn(['get', 'events', '--watch'])
  t.teardown(eventWatch.stop)

  await ok(['apply', '-f', '-'], deployment('nginx:1.25'))
  t.match(await ok(['rollout', 'status', 'deploy/web', '--timeout=30s']), /successfully rolled out/)
  await ok(['set', 'image', 'deploy/web', 'web=nginx:1.26'])
  t.match(await ok(['rollout', 'status', 'deploy/web', '--timeout=30s']), /successfully rolled out/)

  const history = await ok(['rollout', 'history', 'deploy/web'])
  t.match(history, /REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/, `two revisions:\n${history}`)
  t.match(await ok(['rollout', 'history', 'deploy/web', '--revision=1']), /Image:\s+nginx:1\.25/, 'revision 1 shows its template')
  t.match(await ok(['rollout', 'undo', 'deploy/web', '--to-revision=1']), /rolled back/)
  t.match(await ok(['rollout', 'status', 'deploy/web', '--timeout=30s']), /successfully rolled out/)
  const d = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json']))
  t.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25', 'undo restored the first template')
  t.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3', `and made it revision 3: ${JSON.stringify(d.metadata.annotations)}`)
  t.match(await ok(['rollout', 'history', 'deploy/web']), /\n2\s+<none>\s*\n3\s+<none>/, 'revision 1 became 3')

  t.ok(await eventually(() => /web\s+2\/2\s+2\s+2/.test(deployWatch.output()), 10_000), `deployments --watch shows the rollout:\n${deployWatch.output()}`)
  t.ok(await eventually(() => /ScalingReplicaSet/.test(eventWatch.output()) && /Started/.test(eventWatch.output()), 10_000), `events --watch streams new events:\n${eventWatch.output()}`)

  const node = (await ok(['get', 'nodes', '-o', 'name'])).split('\n')[0]!.replace('node/', '')
  const described = await ok(['describe', 'node', node])
  for (const re of [/Name:\s+\S+/, /Roles:/, /Conditions:[\s\S]*Ready\s+True/, new RegExp(`Addresses:[\\s\\S]*InternalIP:\\s+${rangePrefix(c.network.podCIDR)}`), /Capacity:[\s\S]*cpu:/, /Allocatable:/, /Non-terminated Pods:/, /Allocated resources:/]) {
    t.match(described, re, `describe node shows ${String(re)}`)
  }

  await ok(['run', 'talker', '--image=busybox', '--annotations=sim.actorkube.io/behaviour=log=hello@300ms'])
  t.ok(await eventually(async () => /Running/.test(await ok(['get', 'pod', 'talker'])), 20_000), 'talker Running')
  const follow = k.spawn(['logs', '-f', 'talker'])
  t.teardown(follow.stop)
  const count = () => (follow.output().match(/hello/g) ?? []).length
  t.ok(await eventually(() => count() >= 1, 5_000), 'logs -f prints what is there')
  const first = count()
  t.ok(await eventually(() => count() >= first + 2, 5_000), `logs -f keeps streaming new lines (${count()})`)

  // kubectl top: metrics.k8s.io answered from the kubelets' usage samples.
  let top = ''
  t.ok(await eventually(async () => {
    top = (await k.run(['top', 'pod', 'talker'])).stdout
    return /talker\s+5m\s+8Mi/.test(top)
  }, 10_000), `kubectl top pod shows the modelled usage of a sim pod (cpu=5m, 8Mi):\n${top}`)
  const topNodes = await ok(['top', 'node'])
  t.match(topNodes, /NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/, 'kubectl top node prints its table')
  t.equal(topNodes.trim().split('\n').length, 3, `a row per node:\n${topNodes}`)
  const raw = JSON.parse(await ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/talker']))
  t.equal(raw.kind, 'PodMetrics')
  t.same(raw.containers, [{ name: 'talker', usage: { cpu: '5000000n', memory: '8192Ki' } }])
  t.equal((await k.run(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope'])).code, 1, 'an unknown pod has no metrics')

  const proc = `apiVersion: v1
kind: Pod
metadata:
  name: ticker
spec:
  runtimeClassName: process
  containers:
  - name: ticker
    image: node
    command: [${JSON.stringify(process.execPath)}, -e, "let i = 0; setInterval(() => console.log('tick ' + i++), 200)"]
`
  await ok(['apply', '-f', '-'], proc)
  t.ok(await eventually(async () => /Running/.test(await ok(['get', 'pod', 'ticker'])), 20_000), 'process pod Running')
  const procFollow = k.spawn(['logs', '-f', 'ticker'])
  t.teardown(procFollow.stop)
  const ticks = () => (procFollow.output().match(/tick \d+/g) ?? []).length
  t.ok(await eventually(() => ticks() >= 1, 5_000), 'logs -f of a process pod prints its output')
  const seen = ticks()
  t.ok(await eventually(() => ticks() >= seen + 3, 5_000), `and keeps streaming (${ticks()} lines)`)
  let procTop = ''
  t.ok(await eventually(async () => {
    procTop = (await k.run(['top', 'pod', 'ticker', '--no-headers'])).stdout
    const mi = /ticker\s+\d+m\s+(\d+)Mi/.exec(procTop)
    return mi !== null && Number(mi[1]) > 5
  }, 15_000), `kubectl top pod measures a process pod's memory:\n${procTop}`)
  await ok(['delete', 'pod', 'ticker', '--wait=true'])

  t.match(await ok(['delete', 'deploy', 'web', '--cascade=orphan']), /deleted/)
  t.ok(await eventually(async () => (await ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().split('\n').filter(Boolean).length >= 1, 10_000), 'orphaned ReplicaSets stay')
  const rs = JSON.parse(await ok(['get', 'rs', '-l', 'app=web', '-o', 'json'])).items as Array<{ metadata: { ownerReferences?: unknown[] } }>
  t.ok(rs.every((r) => !r.metadata.ownerReferences?.length), 'and lose their owner reference')
  t.same(c.sys.crashes, [], 'no actor crashed')
})
