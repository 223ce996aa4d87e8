// Start-up of `actorkube up` on the default topology, as `npm start` runs it (not part of npm
// test): from launching the command to "running" (kubeconfig written, every apiserver serving),
// to every actor ready, and to the example nginx Deployment's 3 pods Running after
// `kubectl apply`; then Ctrl-C to exit. Baseline in the same script: the same with threads
// compiling the TypeScript sources through tsx (ACTORKUBE_WORKER_TSX=1) instead of loading the
// bundle. Runs alternate between the two; medians go to the "Start-up" section of
// docs/benchmarks.md.
//   node --import tsx test/bench/startup.ts [--runs 5] [--no-write]
import { spawn, execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] || 5) || 5
const write = !args.includes('--no-write')
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl'

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2
}

interface Run {
  running: number
  allReady: number
  podsRunning: number
  stop: number
}

function kubectl(kubeconfig: string, cacheDir: string, argv: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...argv], { timeout: 30_000 }, (_err, stdout) => resolve(String(stdout)))
  })
}

async function once(tsx: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'actorkube-startup-'))
  try {
    const t0 = performance.now()
    const proc = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'up', '--data-dir', join(dir, 'data')], {
      cwd: ROOT,
      env: { ...process.env, ...(tsx ? { ACTORKUBE_WORKER_TSX: '1' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    let buf = ''
    let running = NaN
    let allReady = NaN
    const seen = new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        buf += d.toString()
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i)
          buf = buf.slice(i + 1)
          if (Number.isNaN(running) && /running; Ctrl-C to stop/.test(line)) running = performance.now() - t0
          const m = /ready \((\d+)\/(\d+)\)/.exec(line)
          if (m && m[1] === m[2]) allReady = performance.now() - t0
          if (!Number.isNaN(running) && !Number.isNaN(allReady)) resolve()
        }
      }
      proc.stdout.on('data', onData)
      proc.stderr.on('data', onData)
      void exited.then(() => reject(new Error(`actorkube up exited early:\n${buf.slice(-2000)}`)))
    })
    await seen
    const kubeconfig = join(dir, 'data', 'kubeconfig')
    const cache = join(dir, 'kubectl-cache')
    const applied = performance.now()
    await kubectl(kubeconfig, cache, ['apply', '-f', join(ROOT, 'docs/examples/nginx-deployment.yaml')])
    let podsRunning = NaN
    const deadline = applied + 60_000
    while (performance.now() < deadline) {
      const out = await kubectl(kubeconfig, cache, ['get', 'pods', '-l', 'app=nginx', '--no-headers'])
      if ((out.match(/ 1\/1 +Running /g) ?? []).length === 3) {
        podsRunning = performance.now() - applied
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    const s0 = performance.now()
    proc.kill('SIGINT')
    await exited
    return { running, allReady, podsRunning, stop: performance.now() - s0 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const loadStart = loadavg()
  const bundled: Run[] = []
  const compiled: Run[] = []
  // One unmeasured run of each warms the disk caches (and tsx's cache of compiled files).
  await once(false)
  await once(true)
  for (let r = 0; r < runs; r++) {
    bundled.push(await once(false))
    compiled.push(await once(true))
    process.stdout.write(`run ${r + 1}: bundle ${bundled.at(-1)!.allReady.toFixed(0)} ms, tsx ${compiled.at(-1)!.allReady.toFixed(0)} ms to all ready\n`)
  }
  const loadEnd = loadavg()
  const row = (name: string, pick: (r: Run) => number) => {
    const b = median(bundled.map(pick))
    const c = median(compiled.map(pick))
    return `| ${name} | ${(b / 1000).toFixed(2)} s | ${(c / 1000).toFixed(2)} s | ${(b / c).toFixed(2)} |`
  }
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`
  const fmt = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ')
  const section = [
    '## Start-up',
    '',
    `Measured ${new Date().toISOString()} on ${machine}, median of ${runs} runs of each (alternating, after one warm-up run of each),`,
    `load average ${fmt(loadStart)} at the start and ${fmt(loadEnd)} at the end, with \`node --import tsx test/bench/startup.ts\`.`,
    '`actorkube up` on the default topology (20 actors on 14 threads, etcd on disk with fsync), launched as `npm start` runs it;',
    'the baseline is the same command with `ACTORKUBE_WORKER_TSX=1` (threads compile the TypeScript sources through tsx).',
    '',
    '| from launch (or from `kubectl apply`) to | threads load the bundle | threads compile through tsx | ratio |',
    '| --- | ---: | ---: | ---: |',
    row('"running" (kubeconfig written, apiservers serving)', (r) => r.running),
    row('every actor ready', (r) => r.allReady),
    row('`kubectl apply` of the nginx example -> 3 pods Running', (r) => r.podsRunning),
    row('Ctrl-C -> exited', (r) => r.stop),
    '',
    'kind and k3s need a container engine or a downloaded binary, neither of which this machine has, so',
    'they were not run beside it.',
    '',
  ].join('\n')
  process.stdout.write(section + '\n')
  if (write) {
    const file = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url))
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n'
    const re = /## Start-up\n[\s\S]*?(?=\n## |$)/
    writeFileSync(file, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}`)
  }
}

await main()
