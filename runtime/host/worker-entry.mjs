// The piscina worker entry: makes sure TypeScript can be loaded in this thread (tsx), then
// exports the host task from worker.ts.
import { register } from 'tsx/esm/api'

register()
const mod = await import('./worker.ts')
export default mod.default
