// Lint: typescript-eslint, plus the rule that actor behaviours and pure cores reach time,
// randomness, files, sockets and processes only through their context (Ctx).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const forbiddenGlobals = [
  { name: 'setTimeout', message: 'Use ctx.after or ctx.sleep: the simulator controls time.' },
  { name: 'setInterval', message: 'Use ctx.after: the simulator controls time.' },
  { name: 'setImmediate', message: 'Use ctx.after(0, ...): the simulator controls scheduling.' },
  { name: 'performance', message: 'Use ctx.now(): the simulator controls time.' },
]
const forbiddenProps = [
  { object: 'Date', property: 'now', message: 'Use ctx.now(): the simulator controls time.' },
  { object: 'Math', property: 'random', message: 'Use ctx.random(): the simulator seeds randomness.' },
  { object: 'performance', property: 'now', message: 'Use ctx.now().' },
]
const forbiddenModules = ['fs', 'fs/promises', 'net', 'dgram', 'http', 'https', 'child_process', 'worker_threads', 'timers', 'timers/promises']
  .flatMap((m) => [m, `node:${m}`])
  .map((name) => ({ name, message: 'Actor code does I/O through ctx (ctx.disk, ctx.io); real I/O lives in runtime/io adapters.' }))

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', '.tap/**', '.actorkube/**', 'coverage/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Actor behaviours and pure cores. Real-I/O adapters (runtime/io, hosts, CLI) are exempt.
    files: ['actors/**/*.ts', 'protocols/**/*.ts'],
    ignores: ['actors/**/*.test.ts', 'actors/**/io/**'],
    rules: {
      'no-restricted-globals': ['error', ...forbiddenGlobals],
      'no-restricted-properties': ['error', ...forbiddenProps],
      '@typescript-eslint/no-restricted-imports': ['error', { paths: forbiddenModules.map((m) => ({ ...m, allowTypeImports: true })) }],
      'no-new-func': 'error',
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use new Date(ctx.now()): the simulator controls time.' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
