// Worker threads load the host and the actor kinds as plain JavaScript: one esbuild bundle per
// registry, split per actor kind (a thread loads only the kinds it hosts), with source maps for
// stack traces and coverage. A thread then starts in tens of milliseconds instead of
// compiling every TypeScript module through tsx on its own.
//
// The bundle is written under .cache/workers/<content hash>/ in the package's root, where the
// packages it imports resolve (and outside node_modules, so coverage follows its source maps back
// to the TypeScript), and built once per process and registry. Without esbuild, or where the
// cache cannot be written, threads load the TypeScript sources through tsx (worker-entry.mjs).
import { createHash } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { keepSources, type SourceMapV3 } from './source-map-filter.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..', '..')
const CACHE = join(ROOT, '.cache', 'workers')
/** Bundles of other source versions are removed once this old. */
const KEEP_MS = 24 * 3600_000

const built = new Map<string, Promise<string>>()

/** The file URL of the worker module for `registry` (a path or file URL exporting `actorKinds`). */
export function workerBundle(registry: string): Promise<string> {
  const path = registry.startsWith('file:') ? fileURLToPath(registry) : registry
  let p = built.get(path)
  if (!p) {
    p = build(path)
    built.set(path, p)
    // A failed build is not remembered: the next supervisor tries again.
    p.catch(() => built.delete(path))
  }
  return p
}

/** The product's registry, which worker-bundle.ts bundles with the host. */
export const PRODUCT_REGISTRY = join(ROOT, 'actors', 'registry.ts')

/** The product's sources; the rest (tests' fixtures, benchmarks) is left out of the source maps. */
const PRODUCT_DIRS = ['actors', 'protocols', 'runtime'].map((d) => join(ROOT, d) + sep)

async function build(registry: string): Promise<string> {
  const esbuild = await import('esbuild')
  // Other registries (tests' fixtures, benchmarks) get an entry made for them.
  const entry = registry === PRODUCT_REGISTRY
    ? { entryPoints: { entry: join(HERE, 'worker-bundle.ts') } }
    : {
        stdin: {
          contents: [
            `import hostThread from ${JSON.stringify(join(HERE, 'worker.ts'))}`,
            `import { actorKinds } from ${JSON.stringify(registry)}`,
            'process.setSourceMapsEnabled(true)',
            'export default (init) => hostThread(init, actorKinds)',
          ].join('\n'),
          resolveDir: ROOT,
          loader: 'ts' as const,
          sourcefile: 'worker-bundle-entry.ts',
        },
        entryNames: 'entry',
      }
  // Built for its final directory, so the source maps' relative paths hold there.
  const probeDir = join(CACHE, 'pending')
  const result = await esbuild.build({
    ...entry,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    splitting: true,
    packages: 'external',
    sourcemap: 'external',
    outdir: probeDir,
    write: false,
    logLevel: 'silent',
  })
  const hash = createHash('sha256')
  // Code from outside the product (tests' fixtures, the generated entry) maps to nothing, so
  // coverage reports the product's sources only, as it does for modules loaded one by one.
  const product = (source: string) => PRODUCT_DIRS.some((d) => resolve(probeDir, source).startsWith(d))
  const maps = new Map(result.outputFiles.filter((f) => f.path.endsWith('.map')).map((f) => [f.path, f.text]))
  const files = result.outputFiles
    .filter((f) => !f.path.endsWith('.map'))
    .map((f) => {
      const text = maps.get(`${f.path}.map`)
      if (text === undefined) return { name: relative(probeDir, f.path), contents: f.contents }
      const map = keepSources(JSON.parse(text) as SourceMapV3, product)
      const inline = `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`
      return { name: relative(probeDir, f.path), contents: Buffer.concat([f.contents, Buffer.from(inline)]) }
    })
  files.sort((a, b) => a.name.localeCompare(b.name))
  for (const f of files) hash.update(f.name).update('\0').update(f.contents)
  const digest = hash.digest('hex').slice(0, 16)
  const dir = join(CACHE, digest)
  const entryFile = join(dir, 'entry.js')
  if (!(await exists(entryFile))) {
    // Written beside the final directory, then renamed: concurrent builders never see half a bundle.
    const tmp = join(CACHE, `${digest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`)
    await mkdir(tmp, { recursive: true })
    for (const f of files) {
      await mkdir(dirname(join(tmp, f.name)), { recursive: true })
      await writeFile(join(tmp, f.name), f.contents)
    }
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      await rm(tmp, { recursive: true, force: true })
      // Another process wrote the same bundle first.
      if (!(await exists(entryFile))) throw err
    })
    void prune(digest)
  }
  return pathToFileURL(entryFile).href
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/** Remove bundles of other source versions not touched for a day. */
async function prune(keep: string): Promise<void> {
  const now = Date.now()
  for (const name of await readdir(CACHE).catch(() => [] as string[])) {
    if (name === keep) continue
    const s = await stat(join(CACHE, name)).catch(() => undefined)
    if (s && now - s.mtimeMs > KEEP_MS) await rm(join(CACHE, name), { recursive: true, force: true }).catch(() => {})
  }
}

/**
 * Node options without tsx's loader (`--import tsx`, `--import=tsx/esm`, `--require tsx/cjs`,
 * `--loader tsx`): a thread that loads the bundle would only spend time loading tsx.
 */
export function withoutTsx(execArgv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!
    const m = /^(--import|--loader|--experimental-loader|--require|-r)(?:=(.*))?$/.exec(a)
    if (!m) {
      out.push(a)
      continue
    }
    const value = m[2] ?? execArgv[i + 1] ?? ''
    if (m[2] === undefined) i++
    if (/^tsx(\/|$)/.test(value)) continue
    out.push(a)
    if (m[2] === undefined && execArgv[i] !== undefined) out.push(execArgv[i]!)
  }
  return out
}
