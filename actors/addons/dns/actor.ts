// The cluster DNS add-on: watches Services and Endpoints through the API server and answers
// DNS queries over UDP and TCP on a loopback port.
import type { ActorFactory } from '../../../runtime/actor.ts'
import type { DnsListener } from '../../../runtime/io/udp.ts'
import type { DnsArgs } from '../../args.ts'
import type { Endpoints, Service } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../client/api-client.ts'
import { Informer } from '../../client/informer.ts'
import { answerQuery } from './answer.ts'
import { buildRecords, type RecordTable } from './records.ts'
import { release, takeOver } from '../listeners.ts'

export const create: ActorFactory<DnsArgs> = (ctx, args) => {
  const client = createApiClient(ctx, { apiservers: args.apiservers })
  const services = new Informer<Service>(ctx, client, R.services, {})
  const endpoints = new Informer<Endpoints>(ctx, client, R.endpoints, {})
  let table: RecordTable | undefined
  let listener: DnsListener | undefined
  const invalidate = () => {
    table = undefined
  }
  for (const inf of [services, endpoints]) {
    inf.addHandler({ onAdd: invalidate, onUpdate: invalidate, onDelete: invalidate })
  }
  const current = (): RecordTable => {
    table ??= buildRecords(args.clusterDomain, services.list(), endpoints.list())
    return table
  }
  return {
    async start() {
      services.start()
      endpoints.start()
      const udp = ctx.io.udp
      if (udp) {
        listener = await takeOver(ctx.self, () => udp.dnsListen(args.listen, (q, transport) =>
          answerQuery(q, current(), { ttl: args.ttlSeconds, udp: transport === 'udp' }),
        ))
        ctx.log.info({ event: 'dns.listening', host: listener.host, port: listener.port }, 'dns.listening')
      }
      await Promise.all([services.waitForSync(), endpoints.waitForSync()])
      ctx.report({ ready: true, info: { listen: listener ? `${listener.host}:${listener.port}` : undefined } })
    },
    receive(msg, meta) {
      client.handle(msg, meta)
    },
    async stop() {
      services.stop()
      endpoints.stop()
      await release(ctx.self, listener)
    },
  }
}
