// kube-proxy@<node>: watches Services and Endpoints, keeps the node's rule table (rules.ts),
// shows it through ctx.report, and with proxyTcp carries TCP for each ClusterIP:port.
import type { ActorFactory, Behaviour, Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import type { KubeProxyArgs } from '../args.ts'
import type { Endpoints, Service } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { createApiClient } from '../client/api-client.ts'
import { Informer } from '../client/informer.ts'
import { Balancer } from './balancer.ts'
import { iptablesLines, rulesForService, serviceKey, type ServiceRule } from './rules.ts'
import { TcpForwarder } from './tcp-forwarder.ts'

const REPORT_DEBOUNCE_MS = 100
/** Rule lines shown in `actorkube status` (the full table can be large). */
const REPORT_MAX_LINES = 200

interface ProxyTimer extends Message {
  type: 'kube-proxy.report'
}

export class KubeProxy implements Behaviour {
  private readonly client
  private readonly services
  private readonly endpoints
  /** serviceKey -> its rules */
  private readonly bySvc = new Map<string, ServiceRule[]>()
  /** rule key -> rule */
  readonly rules = new Map<string, ServiceRule>()
  readonly balancer: Balancer
  private readonly forwarder?: TcpForwarder
  private reportPending = false

  constructor(private readonly ctx: Ctx, private readonly args: KubeProxyArgs) {
    this.client = createApiClient(ctx, { apiservers: args.apiservers })
    this.services = new Informer<Service>(ctx, this.client, R.services, { firstListFromCache: true })
    this.endpoints = new Informer<Endpoints>(ctx, this.client, R.endpoints, { firstListFromCache: true })
    this.balancer = new Balancer(args.mode, () => ctx.random())
    if (args.proxyTcp && ctx.io.tcp) this.forwarder = new TcpForwarder(ctx.io.tcp, this.balancer, (k) => this.rules.get(k), ctx.log)
    const onSvc = (o: Service) => this.refresh(serviceKey(o))
    const onEp = (o: Endpoints) => this.refresh(serviceKey(o))
    this.services.addHandler({ onAdd: onSvc, onUpdate: (_o, n) => onSvc(n), onDelete: onSvc })
    this.endpoints.addHandler({ onAdd: onEp, onUpdate: (_o, n) => onEp(n), onDelete: onEp })
  }

  start(): void {
    this.ctx.report({ ready: false, info: { mode: this.args.mode } })
    this.services.start()
    this.endpoints.start()
    void Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]).then(() => {
      this.ctx.log.info({ services: this.bySvc.size, rules: this.rules.size }, 'kube-proxy synced')
      this.scheduleReport()
    })
  }

  receive(msg: Message, meta: MsgMeta): void {
    if (this.client.handle(msg, meta)) return
    if (msg.type === 'kube-proxy.report') {
      this.reportPending = false
      this.report()
    }
  }

  async stop(): Promise<void> {
    this.services.stop()
    this.endpoints.stop()
    await this.forwarder?.closeAll()
  }

  /** Recompute one service's rules from the informers' caches (within the watch event). */
  refresh(key: string): void {
    const [ns, name] = key.split('/') as [string, string]
    const svc = this.services.get(ns, name)
    const ep = this.endpoints.get(ns, name)
    const next = svc ? rulesForService(svc, ep) : []
    for (const old of this.bySvc.get(key) ?? []) this.rules.delete(old.key)
    for (const r of next) this.rules.set(r.key, r)
    if (next.length > 0) this.bySvc.set(key, next)
    else this.bySvc.delete(key)
    this.forwarder?.sync([...this.rules.values()])
    this.scheduleReport()
  }

  table(): string[] {
    return iptablesLines([...this.rules.values()])
  }

  private scheduleReport(): void {
    if (this.reportPending) return
    this.reportPending = true
    this.ctx.after(REPORT_DEBOUNCE_MS, { type: 'kube-proxy.report' } satisfies ProxyTimer)
  }

  private report(): void {
    const lines = this.table()
    const synced = this.services.hasSynced() && this.endpoints.hasSynced()
    this.ctx.report({
      ready: synced,
      info: {
        mode: this.args.mode,
        proxyTcp: this.forwarder !== undefined,
        services: this.bySvc.size,
        rules: this.rules.size,
        iptables: lines.slice(0, REPORT_MAX_LINES),
        ...(lines.length > REPORT_MAX_LINES ? { iptablesTruncated: lines.length - REPORT_MAX_LINES } : {}),
        ...(this.forwarder ? { listeners: this.forwarder.listening() } : {}),
      },
    })
  }
}

export const create: ActorFactory<KubeProxyArgs> = (ctx, args) => new KubeProxy(ctx, args)
