// Runtime benchmarks (not part of npm test): cross-thread throughput and round trips (over the
// direct links between threads, and through the main thread as the baseline, in the same run),
// restart latency per fault kind, simulator speed, memory per hosted actor. Medians of several
// runs after warm-up runs; results go to the "Runtime" section of docs/benchmarks.md.
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

const benchPlan = () =>
  plan(sup('root', 'one_for_one', [
    child({ id: 'f-0', kind: 'blaster', thread: 't0' }),
    child({ id: 'a-0', thread: 't0' }),
    child({ id: 'c-0', kind: 'sink', thread: 't1' }),
    child({ id: 'b-0', thread: 't1' }),
    child({ id: 'k-0', thread: 't2' }),
  ], 1000, 1000))

/** Throughput of 1 KB messages from t0 to t1 (batched), and round trips t0 -> t1 -> t0. */
async function crossThread(s: Supervisor): Promise<{ rates: number[]; rtts: number[] }> {
  const n = 50_000
  const rates: number[] = []
  // The first runs warm up (JIT, buffer sizes, the link being wired) and are not counted.
  const warmup = 2
  for (let r = 0; r < warmup + runs; r++) {
    await ask(s, 'c-0', { type: 'reset' })
    const done = ask(s, 'c-0', { type: 'expect', n })
    const t0 = performance.now()
    await ask(s, 'f-0', { type: 'blast', to: 'c-0', n, size: 1024 })
    await done
    if (r >= warmup) rates.push(n / ((performance.now() - t0) / 1000))
  }
  await ask(s, 'a-0', { type: 'rtt', to: 'b-0', n: 200 })
  const rtts: number[] = []
  for (let r = 0; r < runs; r++) rtts.push(...((await ask(s, 'a-0', { type: 'rtt', to: 'b-0', n: 500 })).times as number[]))
  return { rates, rtts }
}

async function main(): Promise<void> {
  const results: Array<[string, string, string]> = []
  const loadStart = loadavg()
  const rate = (xs: number[]) => `${Math.round(median(xs)).toLocaleString('en')} msgs/s`
  const rtt = (xs: number[]) => `${median(xs).toFixed(3)} ms / ${pct(xs, 99).toFixed(3)} ms`

  // Baseline: every batch between threads through the main thread (the route links fall back on).
  const relay = new Supervisor(benchPlan(), { registry: registryPath, logger, directLinks: false, standbyThreads: 0 })
  await relay.start()
  let base: { rates: number[]; rtts: number[] }
  try {
    base = await crossThread(relay)
  } finally {
    await relay.stop()
  }

  const s = new Supervisor(benchPlan(), { registry: registryPath, logger })
  await s.start()
  try {
    const direct = await crossThread(s)
    results.push(['cross-thread throughput, 1 KB messages, batched (direct links)', rate(direct.rates), '>= 150,000 msgs/s'])
    results.push(['same, through the main thread (baseline, same run)', `${rate(base.rates)} (direct: ${(median(direct.rates) / median(base.rates)).toFixed(1)}x)`, ''])
    results.push(['cross-thread round trip p50 / p99 (direct links)', rtt(direct.rtts), ''])
    results.push(['same, through the main thread (baseline, same run)', rtt(base.rtts), ''])

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
  const loadEnd = loadavg()
  const shared = Math.max(loadStart[0] ?? 0, loadEnd[0] ?? 0) > 2
  const fmt = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ')
  const lines = [
    '## Runtime',
    '',
    `Measured ${new Date().toISOString()} on ${machine}, median of ${runs} runs (after warm-up runs),`,
    `load average ${fmt(loadStart)} at the start and ${fmt(loadEnd)} at the end${shared ? ' (the machine was shared with other work: absolute numbers are pessimistic, same-run ratios hold better)' : ''},`,
    'with `node --import tsx test/bench/runtime.ts`.',
    '',
    '| measure | result | target |',
    '| --- | --- | --- |',
    ...results.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
    '',
    'The baseline rows run the same code with `directLinks: false`, so every batch between threads',
    'goes through the main thread; both routes share one codec (msgpackr records, batches packed',
    'straight into a transferable buffer). The direct links mainly cut latency and take the main',
    'thread out of the data path.',
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
