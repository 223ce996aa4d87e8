// Raft ticks from the topology's timings: one tick is the heartbeat interval, or a tenth of the
// minimum election timeout if that is shorter. The election timeout is drawn in whole ticks from
// [min, max), as etcd draws it from [timeout, 2 x timeout): with 100 ms ticks, [1000, 2000] ms
// gives 1000, 1100, ..., 1900 ms.
export interface Ticks {
  tickMs: number
  heartbeatTicks: number
  /** Election timeout range in ticks, both ends included. */
  electionTicks: [number, number]
}

export function ticksFor(heartbeatMs: number, electionTimeoutMs: [number, number]): Ticks {
  const [lo, hi] = electionTimeoutMs
  const tickMs = Math.max(1, Math.min(heartbeatMs, Math.floor(lo / 10)))
  const heartbeatTicks = Math.max(1, Math.round(heartbeatMs / tickMs))
  const min = Math.max(heartbeatTicks + 1, Math.ceil(lo / tickMs))
  return { tickMs, heartbeatTicks, electionTicks: [min, Math.max(min, Math.ceil(hi / tickMs) - 1)] }
}
