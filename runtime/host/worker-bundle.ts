// The worker module that runtime/host/bundle.ts bundles for the product's actor kinds: the host
// task with actors/registry.ts built in.
import hostThread from './worker.ts'
import { actorKinds } from '../../actors/registry.ts'
import type { WorkerInit } from './protocol.ts'

// Stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true)

export default (init: WorkerInit): Promise<{ thread: string }> => hostThread(init, actorKinds)
