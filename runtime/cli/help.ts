// Help texts for `actorkube --help` and `actorkube <command> --help`.
import { chaosFaultHelp } from './chaos.ts'

export const MAIN_HELP = `actorkube: a Kubernetes control plane and node agents as supervised actors

Usage: actorkube <command> [options]

Commands:
  up [topology.yaml]          start a cluster in the foreground (Ctrl-C stops it)
  status                      actors, threads, state, restarts of the running cluster
  chaos <fault> <target>      inject a fault into the running cluster
  logs                        the cluster's log (--follow for live events, --ha for the HA timeline)
  scenario run <file.yaml>    run a scenario (topology, workload, faults, assertions) and write its report
  help [command]              this text, or a command's

Common options:
  --data-dir DIR              the cluster's data dir (default .actorkube, or $ACTORKUBE_DATA_DIR)
  -h, --help                  help

Run "actorkube <command> --help" for a command's options.
`

export const COMMAND_HELP: Record<string, string> = {
  up: `Usage: actorkube up [topology.yaml] [--data-dir DIR] [--json]

Start the cluster described by topology.yaml (YAML or JSON; default: the built-in HA topology)
in the foreground: progress while components start, then the API endpoint and the
export KUBECONFIG=... line. Logs go to the terminal and, as JSON, to <data-dir>/logs/actorkube.ndjson.
Ctrl-C or SIGTERM stops the cluster cleanly.

Options:
  --data-dir DIR   data dir (default: the topology's storage.dataDir, .actorkube)
  --json           JSON log lines on stdout instead of pretty ones
`,
  status: `Usage: actorkube status [--data-dir DIR] [--json]

A table of the running cluster's actors: actor, thread, state, restarts, ready, info.

Options:
  --data-dir DIR   data dir of the running cluster (default .actorkube)
  --json           the control endpoint's raw status as JSON
`,
  chaos: `Usage: actorkube chaos <fault> [target] [options] [--data-dir DIR]

Inject a fault into the running cluster. Targets are actor names (scheduler-0, etcd-main-1,
kubelet@node-0) or dynamic: leader:scheduler, leader:controller-manager, leader:etcd/<shard>,
random:<role>, node:<name>, thread:<name>.

Faults:
${chaosFaultHelp()}

Options:
  --ms N             milliseconds (or 300ms, 2s) for delay, hang, skew-clock, disk-slow
  --jitter-ms N      extra random delay for delay
  --window-ms N      reorder window
  --probability P    0..1 for drop and duplicate (default 1)
  --from A,B --to C  link faults and partitions between two sets of actors
  --rest             partition: cut the target off from every other actor (the default)
  --all              heal: end every active fault (or: heal <fault-id> | heal <actor>)
  --for DURATION     heal the fault automatically after this long (e.g. 3s)
  --json             print the result as JSON

Examples:
  actorkube chaos crash scheduler-0
  actorkube chaos kill leader:scheduler
  actorkube chaos partition etcd-main-0 --for 5s
  actorkube chaos partition --from apiserver-0 --to etcd-main-1,etcd-main-2
  actorkube chaos delay apiserver-1 --ms 200
  actorkube chaos heal --all
`,
  scenario: `Usage: actorkube scenario run <file.yaml> [--sim] [--seed N | --seeds A..B] [--out DIR] [--data-dir DIR] [--json]

Run a scenario: start its topology, apply its workload, inject its fault timeline, check its
assertions, and write report.json, report.html and events.ndjson into
<data-dir>/scenarios/<name>-<timestamp or seed>/ (or --out). Exits 1 when an assertion fails,
naming the assertion, the seed and the report.

Options:
  --sim            run in the deterministic simulator (virtual time) instead of real time
  --seed N         simulator seed (implies --sim); replays a run exactly
  --seeds A..B     run every seed from A to B (implies --sim)
  --out DIR        output dir (with --seeds: one seed<N> folder per seed inside it)
  --json           one JSON line per seed
  --data-dir DIR   data dir (default .actorkube)

Examples:
  actorkube scenario run docs/scenarios/scheduler-leader-crash.yaml --sim --seed 7
  actorkube scenario run docs/scenarios/etcd-leader-kill.yaml --seeds 1..500
  actorkube scenario run docs/scenarios/scheduler-leader-crash.yaml
`,
  logs: `Usage: actorkube logs [--ha] [--follow] [--json] [--data-dir DIR]

Print the cluster's log from <data-dir>/logs/actorkube.ndjson, or with --follow stream live
events from the running cluster.

Options:
  --ha             only HA events: raft.leader.elected, raft.leader.lost, lease.acquired,
                   lease.lost, lease.renew-failed, ha.failover, apiserver.client.failover,
                   watch.relisted, actor.crashed, actor.restarted, node.not-ready, node.ready,
                   pod.evicted, fault.injected, fault.healed
  -f, --follow     stream events from the running cluster until Ctrl-C
  --json           raw JSON lines
  --data-dir DIR   data dir (default .actorkube)
`,
}
