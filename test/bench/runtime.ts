// Runtime benchmarks (not part of npm test): cross-thread throughput and round trips, restart
// latency per fault kind, simulator speed, memory per hosted actor. Medians of several runs;
// results go to the "Runtime" section of docs/benchmarks.md.
//   node --import tsx test/bench/runtime.ts [--runs 3] [--no-write]
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, totalmem, platform, release, loadavg } from 'node:os'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import type { Message } from '../../runtime/actor.ts'
import { Supervisor } from '../../runtime/host/supervisor.ts'
import type { RuntimeEvent } from '../../runtime/host/status.ts'
import { child, plan, registryPath, sup } from '../fixtures/runtime/plan.ts'
import { nextEvent, waitFor } from '../fixtures/runtime/wait.ts'

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3
const write = !args.includes('--no-write')
const logger = pino({ level: 'warn' })

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number
}
const ask = (s: Supervisor, to: string, m: Record<string, unknown>, ms = 60_000) => s.ask(to, m as unknown as Message, ms) as Promise<Message & Record<string, any>>

async function main(): Promise<void> {
  const results: Array<[string, string, string]> = []
  const s = new Supervisor(
    plan(sup('root', 'one_for_one', [
      child({ id: 'f-0', kind: 'blaster', thread: 't0' }),
      child({ id: 'a-0', thread: 't0' }),
      child({ id: 'c-0', kind: 'sink', thread: 't1' }),
      child({ id: 'b-0', thread: 't1' }),
      child({ id: 'k-0', thread: 't2' }),
    ], 1000, 1000)),
    { registry: registryPath, logger },
  )
  await s.start()
  try {
    // Cross-thread throughput of 1 KB messages, batched.
    const n = 20_000
    const rates: number[] = []
    for (let r = 0; r < runs; r++) {
      await ask(s, 'c-0', { type: 'reset' })
      const done = ask(s, 'c-0', { type: 'expect', n })
      const t0 = performance.now()
      await ask(s, 'f-0', { type: 'blast', to: 'c-0', n, size: 1024 })
      await done
      rates.push(n / ((performance.now() - t0) / 1000))
    }
    results.push(['cross-thread throughput, 1 KB messages', `${Math.round(median(rates)).toLocaleString('en')} msgs/s`, '>= 150,000 msgs/s'])

    // Round trips between actors on two threads.
    const rtts: number[] = []
    for (let r = 0; r < runs; r++) rtts.push(...((await ask(s, 'a-0', { type: 'rtt', to: 'b-0', n: 500 })).times as number[]))
    results.push(['cross-thread round trip p50 / p99', `${median(rtts).toFixed(3)} ms / ${pct(rtts, 99).toFixed(3)} ms`, ''])

    // Restart latency: fault injected -> actor.restarted (serving again).
    const latency = async (kind: 'crash' | 'kill' | 'hang', times: number) => {
      const xs: number[] = []
      for (let i = 0; i < times; i++) {
        if (kind !== 'crash') await waitFor(() => s.standbyReady() > 0, 60_000, 'standby')
        const ev = nextEvent(s, (e: RuntimeEvent) => e.event === 'actor.restarted' && e.actor === 'k-0', 10_000)
        const t0 = Date.now()
        s.inject(kind === 'crash' ? { kind, target: 'k-0' } : kind === 'kill' ? { kind, target: 'k-0' } : { kind, target: 'k-0' })
        await ev
        xs.push(Date.now() - t0)
        await ask(s, 'k-0', { type: 'ping' })
      }
      return xs
    }
    const crash = await latency('crash', 10 * runs)
    results.push(['restart after a throw, p50', `${median(crash)} ms`, '< 5 ms'])
    const kill = await latency('kill', 2 * runs)
    results.push(['restart after a thread exit, p50', `${median(kill)} ms`, '< 100 ms'])
    const hang = await latency('hang', runs)
    results.push(['hang detected and restarted (heartbeat 100 ms, timeout 500 ms), p50', `${median(hang)} ms`, '< 1,000 ms'])
  } finally {
    await s.stop()
  }

  // Simulator speed, in a child process of its own.
  const script = fileURLToPath(new URL('../fixtures/runtime/sim-rate-main.ts', import.meta.url))
  const simRates: number[] = []
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, '300000'], { encoding: 'utf8' })
    simRates.push((JSON.parse(out) as { rate: number }).rate)
  }
  results.push(['simulator', `${Math.round(median(simRates)).toLocaleString('en')} msgs/s`, '>= 100,000 msgs/s'])

  // Memory per idle hosted actor: heap of a thread hosting 1,000 actors vs. one hosting none.
  const many = Array.from({ length: 1000 }, (_, i) => child({ id: `m-${i}`, thread: 'm0' }))
  const s2 = new Supervisor(plan(sup('root', 'one_for_one', [child({ id: 'p-0', thread: 'm0' }), ...many, child({ id: 'p-1', thread: 'm1' })])), { registry: registryPath, logger, standbyThreads: 0 })
  await s2.start()
  try {
    const per: number[] = []
    for (let r = 0; r < runs; r++) {
      await new Promise((res) => setTimeout(res, 500))
      const full = (await ask(s2, 'p-0', { type: 'mem' })).heapUsed as number
      const empty = (await ask(s2, 'p-1', { type: 'mem' })).heapUsed as number
      per.push((full - empty) / 1000 / 1024)
    }
    results.push(['memory per idle hosted actor (1,000 actors on one thread)', `${median(per).toFixed(1)} KB`, '<= 200 KB'])
  } finally {
    await s2.stop()
  }

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`
  const lines = [
    '## Runtime',
    '',
    `Measured ${new Date().toISOString()} on ${machine}, median of ${runs} runs,`,
    `load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (other work was running on the machine)`,
    'with `node --import tsx test/bench/runtime.ts`.',
    '',
    '| measure | result | target |',
    '| --- | --- | --- |',
    ...results.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
    '',
  ]
  const section = lines.join('\n')
  process.stdout.write(section + '\n')
  if (write) {
    const file = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url))
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n'
    const re = /## Runtime\n[\s\S]*?(?=\n## |$)/
    const next = re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}`
    writeFileSync(file, next)
  }
}

await main()
