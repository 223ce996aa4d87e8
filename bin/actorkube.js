#!/usr/bin/env node
// The actorkube command. Loads TypeScript through the package's own tsx, so it works from any
// working directory, then runs the CLI (runtime/cli/main.ts).
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../runtime/cli/main.ts')
await run(process.argv.slice(2))
