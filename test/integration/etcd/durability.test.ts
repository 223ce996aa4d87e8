// A real process running a durable 3-replica shard is SIGKILLed under write load; restarted on
// the same data dir, it still has every write it acknowledged.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const child = join(dirname(fileURLToPath(import.meta.url)), 'durable-child.ts')

function run(mode: string, dir: string) {
  const p = spawn(process.execPath, ['--import', 'tsx', child, mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  let buf = ''
  const lines: string[] = []
  const waiters: Array<() => void> = []
  p.stdout.setEncoding('utf8')
  p.stdout.on('data', (d: string) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i))
      buf = buf.slice(i + 1)
    }
    for (const w of waiters.splice(0)) w()
  })
  const until = (pred: () => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(pred()), ms)
      const check = () => {
        if (pred()) {
          clearTimeout(timer)
          resolve(true)
        } else waiters.push(check)
      }
      check()
    })
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)))
  return { p, lines, until, exited }
}

t.test('SIGKILL under write load loses no acknowledged write', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-durable-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const load = run('load', dir)
  t.teardown(() => load.p.kill('SIGKILL'))
  const acks = () => load.lines.filter((l) => l.startsWith('ACK ')).length
  t.ok(await load.until(() => acks() >= 300, 60_000), `acknowledged writes before the kill: ${acks()}`)
  load.p.kill('SIGKILL')
  await load.exited
  const acked = new Map(load.lines.filter((l) => l.startsWith('ACK ')).map((l) => [l.split(' ')[1], l.split(' ')[2]]))
  const verify = run('verify', dir)
  t.teardown(() => verify.p.kill('SIGKILL'))
  t.ok(await verify.until(() => verify.lines.some((l) => l.startsWith('DATA ') || l.startsWith('FAILED') || l.startsWith('NO-LEADER')), 60_000))
  const line = verify.lines.find((l) => l.startsWith('DATA '))
  t.ok(line, `recovered cluster answered: ${verify.lines.at(-1)?.slice(0, 100)}`)
  const data = JSON.parse(line?.slice(5) ?? '{}') as Record<string, string>
  let missing = 0
  for (const [k, v] of acked) if (data[k] !== v) missing++
  t.equal(missing, 0, `all ${acked.size} acknowledged writes present after restart`)
  t.ok(Object.keys(data).length >= acked.size)
})
