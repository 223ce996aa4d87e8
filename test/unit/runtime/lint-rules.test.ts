// The rule that keeps actor code simulatable is enforced by lint, not by memory: actor
// behaviours and pure cores may not reach timers, the clock, randomness, files, sockets or
// processes directly; the I/O adapters in runtime/io may.
import t from 'tap'
import { ESLint } from 'eslint'

const eslint = new ESLint({ cwd: process.cwd() })

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath })
  return (r?.messages ?? []).map((m) => `${m.ruleId}:${m.line}`)
}

const FORBIDDEN = [
  'export const a = Date.now()',
  'export const b = Math.random()',
  'setTimeout(() => {}, 10)',
  'setInterval(() => {}, 10)',
  'export const c = performance.now()',
  "import { readFileSync } from 'node:fs'\nexport const d = readFileSync",
  "import net from 'net'\nexport const e = net",
  "import { spawn } from 'node:child_process'\nexport const f = spawn",
  'export const g = new Date()',
].join('\n')

t.test('actor code may not touch time, randomness, files, sockets or processes', async (t) => {
  const ids = await ruleIds(FORBIDDEN, 'actors/scheduler/example.ts')
  for (const rule of ['no-restricted-properties', 'no-restricted-globals', '@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']) {
    t.ok(ids.some((id) => id.startsWith(rule)), `${rule} fires: ${ids.join(', ')}`)
  }
  t.ok(ids.length >= 9, `every forbidden use is reported (${ids.length})`)
})

t.test('type-only imports of node modules are fine in actor code', async (t) => {
  t.same(await ruleIds("import type { IncomingMessage } from 'node:http'\nexport type R = IncomingMessage\n", 'actors/addons/example.ts'), [])
})

t.test('the I/O adapters and the hosts may do real I/O', async (t) => {
  t.same(await ruleIds("import { readFileSync } from 'node:fs'\nexport const now = () => Date.now() + readFileSync.length\n", 'runtime/io/example.ts'), [])
})
