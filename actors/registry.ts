// Actor kinds by name, loaded lazily: a worker thread imports only the components it hosts.
import type { ActorFactory } from '../runtime/actor.ts'

type Loader = () => Promise<ActorFactory<any>>

export const actorKinds: Record<string, Loader> = {
  etcd: async () => (await import('./etcd/actor.ts')).create,
  apiserver: async () => (await import('./apiserver/actor.ts')).create,
  scheduler: async () => (await import('./scheduler/actor.ts')).create,
  'controller-manager': async () => (await import('./controller-manager/actor.ts')).create,
  kubelet: async () => (await import('./kubelet/actor.ts')).create,
  'kube-proxy': async () => (await import('./kube-proxy/actor.ts')).create,
  dns: async () => (await import('./addons/dns/actor.ts')).create,
  ingress: async () => (await import('./addons/ingress/actor.ts')).create,
  dashboard: async () => (await import('./addons/dashboard/actor.ts')).create,
}
