// The scheduler actor: every instance keeps pod and node informers (and its cache) warm; only
// the holder of the kube-system/kube-scheduler Lease schedules. Scheduling is one pod at a time
// through a work queue; binding is asynchronous, with the pod assumed on its node meanwhile.
import type { ActorFactory, Behaviour, Ctx } from '../../runtime/actor.ts'
import type { Node, Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import type { SchedulerArgs } from '../args.ts'
import { createApiClient } from '../client/api-client.ts'
import { EventRecorder } from '../client/event-recorder.ts'
import { Informer } from '../client/informer.ts'
import { LeaderElector } from '../client/leader-election.ts'
import { SchedulerCache, isTerminal } from './cache.ts'
import { podKey } from './node-info.ts'
import { SchedulingLoop } from './scheduling-loop.ts'

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler'

export function responsibleFor(pod: Pod, schedulerName: string): boolean {
  return !pod.spec.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod) && (pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === schedulerName
}

/** Did a node change in a way that could make an unschedulable pod fit? */
function nodeChanged(a: Node, b: Node): boolean {
  return (
    JSON.stringify(a.status?.allocatable) !== JSON.stringify(b.status?.allocatable) ||
    JSON.stringify(a.metadata.labels) !== JSON.stringify(b.metadata.labels) ||
    JSON.stringify(a.spec?.taints) !== JSON.stringify(b.spec?.taints) ||
    a.spec?.unschedulable !== b.spec?.unschedulable ||
    a.status?.conditions?.find((c) => c.type === 'Ready')?.status !== b.status?.conditions?.find((c) => c.type === 'Ready')?.status
  )
}

export function leaseRequestTimeout(args: SchedulerArgs): number {
  return Math.max(100, Math.min(2000, Math.floor(args.lease.renewDeadlineMs / 3)))
}

export const create: ActorFactory<SchedulerArgs> = (ctx: Ctx, args: SchedulerArgs): Behaviour => {
  const schedulerName = args.schedulerName || DEFAULT_SCHEDULER_NAME
  const client = createApiClient(ctx, { apiservers: args.apiservers })
  // Lease calls get a tight timeout so a dead instance is left well within renewDeadline.
  const leaseClient = createApiClient(ctx, { apiservers: args.apiservers, requestTimeoutMs: leaseRequestTimeout(args) })
  const cache = new SchedulerCache()
  const pods = new Informer<Pod>(ctx, client, R.pods, {})
  const nodes = new Informer<Node>(ctx, client, R.nodes, {})
  const recorder = new EventRecorder(ctx, client, { component: schedulerName })
  let loop: SchedulingLoop | undefined

  const elector = new LeaderElector(ctx, leaseClient, {
    namespace: 'kube-system',
    name: 'kube-scheduler',
    // Each incarnation is a new candidate (client-go uses hostname + "_" + a uuid): a restarted
    // leader does not silently resume its old lease, it competes once the lease expires.
    identity: `${ctx.self}_${ctx.newId()}`,
    timings: args.lease,
    component: 'scheduler',
    onStartedLeading: () => {
      loop = new SchedulingLoop(ctx, {
        client, cache, pods, recorder, schedulerName,
        percentageOfNodesToScore: args.percentageOfNodesToScore,
        isLeader: () => elector.isLeader(),
      })
      void Promise.all([pods.waitForSync(), nodes.waitForSync()]).then(() => {
        if (!loop) return
        loop.start()
        for (const p of pods.list()) if (responsibleFor(p, schedulerName)) loop.enqueue(podKey(p))
      })
    },
    onStoppedLeading: () => {
      loop?.stop()
      loop = undefined
    },
  })

  pods.addHandler({
    onAdd: (p) => {
      cache.updatePod(p)
      if (responsibleFor(p, schedulerName)) loop?.enqueue(podKey(p))
    },
    onUpdate: (old, p) => {
      cache.updatePod(p)
      if (responsibleFor(p, schedulerName)) loop?.enqueue(podKey(p))
      else if (old.spec.nodeName === undefined && p.spec.nodeName) loop?.scheduled(podKey(p))
      // A pod finishing frees its node's resources.
      if (p.spec.nodeName && isTerminal(p) && !isTerminal(old)) loop?.clusterChanged()
    },
    onDelete: (p) => {
      cache.removePod(podKey(p))
      loop?.scheduled(podKey(p))
      if (p.spec.nodeName) loop?.clusterChanged()
    },
  })
  nodes.addHandler({
    onAdd: (n) => {
      cache.setNode(n)
      loop?.clusterChanged()
    },
    onUpdate: (old, n) => {
      cache.setNode(n)
      if (nodeChanged(old, n)) loop?.clusterChanged()
    },
    onDelete: (n) => cache.removeNode(n.metadata.name ?? ''),
  })

  return {
    start() {
      ctx.report({ ready: false, info: { leader: false, holder: '' } })
      pods.start()
      nodes.start()
      void Promise.all([pods.waitForSync(), nodes.waitForSync()]).then(() => ctx.report({ ready: true }))
      elector.start()
    },
    receive(msg, meta) {
      if (client.handle(msg, meta) || leaseClient.handle(msg, meta)) return
      ctx.log.debug({ type: msg.type, from: meta.from }, 'scheduler ignored message')
    },
    async stop() {
      loop?.stop()
      loop = undefined
      pods.stop()
      nodes.stop()
      await elector.stop()
    },
  }
}
