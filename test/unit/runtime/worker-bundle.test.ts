// The worker bundle: one build per registry, split per actor kind, with source maps that name
// only the product's sources; and the source-map filter it uses.
import t from 'tap'
import { readFile, readdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decode, encode } from '@jridgewell/sourcemap-codec'
import { PRODUCT_REGISTRY, workerBundle } from '../../../runtime/host/bundle.ts'
import { keepSources, type SourceMapV3 } from '../../../runtime/host/source-map-filter.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function inlineMap(text: string): SourceMapV3 {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(text)
  if (!m) throw new Error('no inline source map')
  return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as SourceMapV3
}

t.test('keepSources drops the others and leaves their code unmapped', async (t) => {
  const map: SourceMapV3 = {
    version: 3,
    sources: ['a.ts', 'test/fixture.ts', 'b.ts'],
    sourcesContent: ['A', 'F', 'B'],
    names: ['x'],
    mappings: encode([
      [[0, 0, 0, 0], [4, 1, 3, 2, 0]],
      [[0, 2, 5, 1], [7, 1, 0, 0]],
      [[0]],
      [[2, 0, 9, 9, 0]],
    ]),
  }
  const out = keepSources(map, (s) => !s.startsWith('test/'))
  t.same(out.sources, ['a.ts', 'b.ts'])
  t.same(out.sourcesContent, ['A', 'B'])
  t.same(decode(out.mappings), [
    [[0, 0, 0, 0], [4]],
    [[0, 1, 5, 1], [7]],
    [[0]],
    [[2, 0, 9, 9, 0]],
  ], 'kept sources are renumbered, segments of dropped ones keep only their column')
  t.equal(keepSources(map, () => true), map, 'nothing to drop: the same map')
})

t.test('the product registry bundles into chunks whose maps name product sources only', async (t) => {
  const url = await workerBundle(PRODUCT_REGISTRY)
  t.equal(await workerBundle(PRODUCT_REGISTRY), url, 'built once per process')
  const entry = fileURLToPath(url)
  const dir = dirname(entry)
  t.match(dir, join(ROOT, '.cache', 'workers'))
  const files = (await readdir(dir)).filter((f) => f.endsWith('.js'))
  t.ok(files.length >= 10, `split into chunks per actor kind (${files.length} files)`)
  const sources = new Set<string>()
  for (const f of files) for (const s of inlineMap(await readFile(join(dir, f), 'utf8')).sources) sources.add(resolve(dir, s))
  t.ok(sources.has(join(ROOT, 'runtime/host/worker.ts')), 'the host is mapped')
  t.ok(sources.has(join(ROOT, 'actors/etcd/replica.ts')), 'actor kinds are mapped')
  t.same([...sources].filter((s) => !/\/(actors|protocols|runtime)\//.test(s.slice(ROOT.length - 1))), [], 'nothing outside the product')
  // (Not imported here: in this process coverage would count the bundle itself; threads load it
  // in the integration tests.)
  t.match(await readFile(entry, 'utf8'), /export \{\n\s+\w+ as default\n\}/, 'the entry exports the host task')
})

t.test('a test registry is bundled too, its fixtures left out of the maps', async (t) => {
  const registry = join(ROOT, 'test/fixtures/runtime/registry.ts')
  const url = await workerBundle(`file://${registry}`)
  const dir = dirname(fileURLToPath(url))
  const sources: string[] = []
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.js'))) sources.push(...inlineMap(await readFile(join(dir, f), 'utf8')).sources.map((s) => resolve(dir, s)))
  t.ok(sources.includes(join(ROOT, 'runtime/host/worker.ts')))
  t.notOk(sources.some((s) => s.includes('/test/') || s.endsWith('worker-bundle-entry.ts')), 'no test file and no generated entry in the maps')
})

t.test('a registry that does not build rejects, and is tried again next time', async (t) => {
  const missing = join(ROOT, 'test/fixtures/runtime/no-such-registry.ts')
  await t.rejects(workerBundle(missing))
  await t.rejects(workerBundle(missing), 'a second attempt builds again')
})

t.test('threads that load the bundle get the node options without tsx', async (t) => {
  const { withoutTsx } = await import('../../../runtime/host/bundle.ts')
  t.same(withoutTsx(['--import', 'tsx', '--max-old-space-size=512']), ['--max-old-space-size=512'])
  t.same(withoutTsx(['--import=tsx', '--import', './x.mjs', '--require', 'tsx/cjs', '--loader=tsx/esm']), ['--import', './x.mjs'])
  t.same(withoutTsx(['--enable-source-maps', '-r', 'dotenv/config']), ['--enable-source-maps', '-r', 'dotenv/config'])
  t.same(withoutTsx(['--import']), ['--import'], 'a dangling option is kept')
})
