// Answers one DNS query packet from a record table (pure: bytes in, bytes out).
import dnsPacket from 'dns-packet'
import type { Answer, Packet, Question } from 'dns-packet'
import { podAddress, type RecordTable } from './records.ts'

const RCODE_NXDOMAIN = 3
const RCODE_FORMERR = 1
const RCODE_REFUSED = 5
const RCODE_NOTIMP = 4
const MAX_UDP = 512

export interface AnswerOptions {
  ttl: number
  /** Truncate (TC bit) answers that do not fit a plain UDP datagram. */
  udp: boolean
}

export function answerQuery(query: Uint8Array, table: RecordTable, opts: AnswerOptions): Uint8Array | undefined {
  let q: Packet & { opcode?: string }
  try {
    q = dnsPacket.decode(Buffer.from(query))
  } catch {
    // Too short to carry an id: nothing sensible to answer.
    if (query.length < 2) return undefined
    return header(query, RCODE_FORMERR)
  }
  const question = q.questions?.[0]
  const base: Packet = { type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED, questions: q.questions ?? [] }
  if (q.opcode !== undefined && q.opcode !== 'QUERY') return encode({ ...base, flags: (base.flags ?? 0) | RCODE_NOTIMP }, opts)
  if (!question || (q.questions?.length ?? 0) !== 1) return encode({ ...base, flags: (base.flags ?? 0) | RCODE_FORMERR }, opts)
  const name = question.name.toLowerCase().replace(/\.$/, '')
  const inZone = name === table.domain || name.endsWith(`.${table.domain}`)
  if (!inZone) return encode({ ...base, flags: ((base.flags ?? 0) & ~dnsPacket.AUTHORITATIVE_ANSWER) | RCODE_REFUSED }, opts)
  const answers = lookup(question, name, table, opts.ttl)
  const exists = answers !== undefined
  if (!exists) return encode({ ...base, flags: (base.flags ?? 0) | RCODE_NXDOMAIN, authorities: [soa(table, opts.ttl)] }, opts)
  if (answers.length === 0) return encode({ ...base, authorities: [soa(table, opts.ttl)] }, opts)
  const additionals: Answer[] = []
  if (question.type === 'SRV') {
    for (const a of answers) {
      const target = (a as unknown as { data: { target: string } }).data.target
      for (const ip of table.a.get(target) ?? []) additionals.push({ type: 'A', name: target, ttl: opts.ttl, class: 'IN', data: ip })
    }
  }
  return encode({ ...base, answers, additionals }, opts)
}

/** undefined: the name does not exist (NXDOMAIN); []: it exists with no record of that type. */
function lookup(question: Question, name: string, table: RecordTable, ttl: number): Answer[] | undefined {
  const podIp = podAddress(name, table.domain)
  if (podIp) return question.type === 'A' ? [{ type: 'A', name, ttl, class: 'IN', data: podIp }] : []
  const alias = table.cname.get(name)
  // An alias answers every type with its CNAME; the resolver follows it (the target is outside the zone).
  if (alias) return [{ type: 'CNAME', name, ttl, class: 'IN', data: alias }]
  const known = table.names.has(name) || name === table.domain
  if (!known) return undefined
  switch (question.type as string) {
    case 'A':
      return (table.a.get(name) ?? []).map((ip) => ({ type: 'A', name, ttl, class: 'IN', data: ip }))
    case 'SRV':
      return (table.srv.get(name) ?? []).map((s) => ({
        type: 'SRV', name, ttl, class: 'IN',
        data: { priority: 0, weight: Math.floor(100 / Math.max(1, table.srv.get(name)?.length ?? 1)), port: s.port, target: s.target },
      }))
    case 'ANY':
      return (table.a.get(name) ?? []).map((ip) => ({ type: 'A', name, ttl, class: 'IN', data: ip }))
    default:
      return []
  }
}

function soa(table: RecordTable, ttl: number): Answer {
  return {
    type: 'SOA', name: table.domain, ttl, class: 'IN',
    data: { mname: `ns.dns.${table.domain}`, rname: `hostmaster.${table.domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
  }
}

function encode(p: Packet, opts: AnswerOptions): Uint8Array {
  let buf = dnsPacket.encode(p)
  if (opts.udp && buf.length > MAX_UDP) {
    buf = dnsPacket.encode({ ...p, flags: (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], additionals: [] })
  }
  return new Uint8Array(buf)
}

function header(query: Uint8Array, rcode: number): Uint8Array {
  const out = new Uint8Array(12)
  out[0] = query[0] as number
  out[1] = query[1] as number
  out[2] = 0x80
  out[3] = rcode
  return out
}
