// bin/actorkube.js works from any directory (it loads TypeScript through the package's own tsx).
import t from 'tap'
import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../../bin/actorkube.js', import.meta.url))

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: tmpdir(), env: { ...process.env, ACTORKUBE_DATA_DIR: '' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

t.test('actorkube --help and a usage error, from another directory', async (t) => {
  const help = await run(['--help'])
  t.equal(help.code, 0, help.stderr)
  t.match(help.stdout, /Usage: actorkube <command>/)
  const bad = await run(['chaos', 'explode', 'x'])
  t.equal(bad.code, 2)
  t.equal(bad.stderr, 'actorkube: unknown fault "explode" (valid faults: kill, crash, hang, pause, resume, partition, heal, delay, drop, duplicate, reorder, skew-clock, disk-slow, disk-fail)\n')
})
