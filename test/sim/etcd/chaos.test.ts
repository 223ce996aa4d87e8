// Seeded chaos runs (see chaos-run.ts). The default count (20) keeps this file short in
// `npm test`; CI also runs the full set, `npm run test:soak` (1,000 runs, and 100 through the
// KvClient): ETCD_SIM_RUNS=1000 npx tap --timeout=0 test/sim/etcd/chaos.test.ts
// Replay one failing run: SEED=<n> npx tap test/sim/etcd/chaos.test.ts
// The second test runs its seeds with clients going through the API server's KvClient
// (ETCD_SIM_CLIENT_RUNS, default 10).
import t from 'tap'
import { chaosRun } from './chaos-run.ts'

const single = process.env.SEED
const runs = single ? 1 : Number(process.env.ETCD_SIM_RUNS ?? 20)
const clientRuns = single ? 1 : Number(process.env.ETCD_SIM_CLIENT_RUNS ?? 10)
const first = single ? Number(single) : Number(process.env.ETCD_SIM_FIRST ?? 1)

t.setTimeout(Math.max(300_000, (runs + clientRuns) * 5_000))

t.test(`etcd shard under chaos: ${runs} seeded runs`, { timeout: Math.max(60_000, runs * 5_000) }, async (t) => {
  const began = Date.now()
  let ops = 0
  let acked = 0
  let watchEvents = 0
  for (let seed = first; seed < first + runs; seed++) {
    const r = await chaosRun({ seed })
    ops += r.ops
    acked += r.acked
    watchEvents += r.watchEvents
    if ((seed - first + 1) % 50 === 0) t.comment(`${seed - first + 1} runs done, ${Date.now() - began} ms`)
    if (r.problems.length > 0) t.fail(`seed ${seed} (replay with SEED=${seed}): ${r.problems.slice(0, 5).join('; ')}`)
  }
  t.comment(`${runs} runs in ${Date.now() - began} ms`)
  t.ok(acked > runs * 5, `progress: ${acked} acknowledged writes, ${ops} operations, ${watchEvents} watch events`)
})

t.test(`etcd shard under chaos, clients through the API server's KvClient: ${clientRuns} seeded runs`, { timeout: Math.max(60_000, clientRuns * 5_000) }, async (t) => {
  const began = Date.now()
  let acked = 0
  for (let seed = first; seed < first + clientRuns; seed++) {
    const r = await chaosRun({ seed, kvClient: true })
    acked += r.acked
    if (r.problems.length > 0) t.fail(`seed ${seed} with KvClient (replay with SEED=${seed}): ${r.problems.slice(0, 5).join('; ')}`)
  }
  t.comment(`${clientRuns} runs in ${Date.now() - began} ms`)
  t.ok(acked > clientRuns * 5, `progress: ${acked} acknowledged writes`)
})
