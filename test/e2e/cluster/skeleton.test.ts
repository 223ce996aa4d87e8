// The walking skeleton: stock kubectl applies the nginx Deployment from the Kubernetes docs and
// the pods reach Running through every component (etcd, apiserver, controller-manager,
// scheduler, kubelet), with the chain of events readable in `kubectl get events`.
import t from 'tap'
import { rangePrefix, smallTopology, startLocalCluster } from '../../helpers/local-cluster.ts'
import { eventually, kubectlFor } from '../../helpers/kubectl.ts'

const TOPOLOGY = smallTopology('skeleton')

t.test('kubectl apply of the nginx Deployment reaches Running through every component', async (t) => {
  const c = await startLocalCluster(TOPOLOGY)
  t.teardown(() => c.stop())
  t.ok(await c.sys.waitFor(() => c.sys.reports.get('apiserver-0')?.ready === true, 20_000), 'apiserver ready')
  const k = await kubectlFor(c.apiPort())
  t.teardown(() => k.cleanup())

  t.ok(await eventually(async () => (await k.run(['get', 'nodes'])).stdout.split('\n').filter((l) => / Ready /.test(l)).length === 2, 20_000), 'both nodes register Ready')
  const applied = await k.run(['apply', '-f', 'docs/examples/nginx-deployment.yaml'])
  t.equal(applied.code, 0, applied.stderr)
  t.match(applied.stdout, /deployment.apps\/nginx-deployment created/)

  let pods = ''
  const running = await eventually(async () => {
    pods = (await k.run(['get', 'pods', '-l', 'app=nginx', '-o', 'wide'])).stdout
    return (pods.match(/ 1\/1 +Running /g) ?? []).length === 3
  }, 30_000)
  t.ok(running, `three pods Running:\n${pods}`)
  t.match(pods, new RegExp(`${rangePrefix(c.network.podCIDR)}\\d+\\.\\d+`), `pod IPs come from the cluster's loopback pod CIDR ${c.network.podCIDR}`)

  const events = (await k.run(['get', 'events', '-o', 'custom-columns=REASON:.reason,OBJ:.involvedObject.kind', '--no-headers'])).stdout
  for (const [reason, kind] of [['ScalingReplicaSet', 'Deployment'], ['SuccessfulCreate', 'ReplicaSet'], ['Scheduled', 'Pod'], ['Pulled', 'Pod'], ['Created', 'Pod'], ['Started', 'Pod']]) {
    t.match(events, new RegExp(`${reason}\\s+${kind}`), `event ${reason} on a ${kind}`)
  }
  const rollout = await k.run(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=20s'])
  t.equal(rollout.code, 0, rollout.stderr)
  t.match(rollout.stdout, /successfully rolled out/)
  t.same(c.sys.crashes, [], 'no actor crashed')
})
