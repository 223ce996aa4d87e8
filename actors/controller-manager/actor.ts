// The controller-manager actor: every instance runs all informers warm; only the holder of the
// Lease kube-system/kube-controller-manager runs the controllers' work queues.
import type { ActorFactory, Behaviour } from '../../runtime/actor.ts'
import type { ControllerManagerArgs } from '../args.ts'
import { createApiClient } from '../client/api-client.ts'
import { EventRecorder } from '../client/event-recorder.ts'
import { LeaderElector } from '../client/leader-election.ts'
import { WorkQueue } from '../client/workqueue.ts'
import type { Controller, ControllerDeps } from './deps.ts'
import { createInformers } from './informers.ts'
import { buildControllers } from './controllers.ts'

export const LEASE_NAMESPACE = 'kube-system'
export const LEASE_NAME = 'kube-controller-manager'

export const create: ActorFactory<ControllerManagerArgs> = (ctx, args): Behaviour => {
  const client = createApiClient(ctx, { apiservers: args.apiservers })
  const { informers, all } = createInformers(ctx, client, args.resyncMs)
  const recorder = new EventRecorder(ctx, client, { component: 'controller-manager', host: ctx.self })
  const deps: ControllerDeps = {
    ctx,
    client,
    informers,
    recorder,
    newRecorder: (component) => new EventRecorder(ctx, client, { component, host: ctx.self }),
    newQueue: (name) => new WorkQueue(ctx, { name }),
    args,
  }
  const controllers: Controller[] = buildControllers(deps)
  let leading = false
  let stopped = false

  const startControllers = async () => {
    leading = true
    // Workers start only after every cache has synced (as client-go's WaitForCacheSync).
    await Promise.all(all.map((i) => i.waitForSync()))
    if (!leading || stopped) return
    for (const c of controllers) c.start()
    ctx.log.info({ event: 'controllers.started', count: controllers.length }, 'controllers started')
  }
  const stopControllers = () => {
    leading = false
    for (const c of controllers) c.stop()
  }

  const elector = new LeaderElector(ctx, client, {
    namespace: LEASE_NAMESPACE,
    name: LEASE_NAME,
    // A new identity per incarnation, as client-go does (hostname + "_" + a uuid).
    identity: `${ctx.self}_${ctx.newId()}`,
    timings: args.lease,
    component: 'controller-manager',
    onStartedLeading: () => void startControllers(),
    onStoppedLeading: stopControllers,
  })

  return {
    start() {
      for (const i of all) i.start()
      elector.start()
      // Ready (standby or active) once every informer cache has synced.
      void Promise.all(all.map((i) => i.waitForSync())).then(() => {
        if (!stopped) ctx.report({ ready: true })
      })
    },
    receive(msg, meta) {
      client.handle(msg, meta)
    },
    async stop() {
      stopped = true
      stopControllers()
      await elector.stop()
      for (const i of all) i.stop()
    },
  }
}
