// `npm run bench -- [name ...] [-- args]`: runs the named benchmark scripts in test/bench/ (all
// of them when none is named), one child process each, so one's memory does not skew another's.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3)).sort()
const argv = process.argv.slice(2)
const split = argv.indexOf('--')
const names = split >= 0 ? argv.slice(0, split) : argv.filter((a) => !a.startsWith('-'))
const rest = split >= 0 ? argv.slice(split + 1) : argv.filter((a) => a.startsWith('-'))
const unknown = names.filter((n) => !available.includes(n))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}
let failed = 0
for (const name of names.length > 0 ? names : available) {
  console.log(`\n== bench ${name}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`), ...rest], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed > 0 ? 1 : 0)
