// k8s.io/api batch/v1 messages: Job.
import type { MessageTable } from './schema.ts'

export const BATCH: MessageTable = {
  package: 'k8s.io.api.batch.v1',
  messages: {
    Job: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'JobSpec'], [3, 'status', 'JobStatus']],
    JobSpec: [[1, 'parallelism', 'i32', 'o'], [2, 'completions', 'i32', 'o'], [3, 'activeDeadlineSeconds', 'i64', 'o'],
      [11, 'podFailurePolicy', 'PodFailurePolicy', 'o'], [16, 'successPolicy', 'SuccessPolicy', 'o'], [7, 'backoffLimit', 'i32', 'o'],
      [12, 'backoffLimitPerIndex', 'i32', 'o'], [13, 'maxFailedIndexes', 'i32', 'o'], [4, 'selector', 'LabelSelector', 'o'],
      [5, 'manualSelector', 'bool', 'o'], [6, 'template', 'PodTemplateSpec'], [8, 'ttlSecondsAfterFinished', 'i32', 'o'],
      [9, 'completionMode', 'str', 'o'], [10, 'suspend', 'bool', 'o'], [14, 'podReplacementPolicy', 'str', 'o'], [15, 'managedBy', 'str', 'o']],
    JobStatus: [[1, 'conditions', 'JobCondition', 'r'], [2, 'startTime', 'Time', 'o'], [3, 'completionTime', 'Time', 'o'],
      [4, 'active', 'i32'], [5, 'succeeded', 'i32'], [6, 'failed', 'i32'], [11, 'terminating', 'i32', 'o'], [7, 'completedIndexes', 'str'],
      [10, 'failedIndexes', 'str', 'o'], [8, 'uncountedTerminatedPods', 'UncountedTerminatedPods', 'o'], [9, 'ready', 'i32', 'o']],
    JobCondition: [[1, 'type', 'str', 'k'], [2, 'status', 'str', 'k'], [3, 'lastProbeTime', 'Time'], [4, 'lastTransitionTime', 'Time'],
      [5, 'reason', 'str'], [6, 'message', 'str']],
    PodFailurePolicy: [[1, 'rules', 'PodFailurePolicyRule', 'r']],
    PodFailurePolicyOnExitCodesRequirement: [[1, 'containerName', 'str', 'o'], [2, 'operator', 'str', 'k'], [3, 'values', 'i32', 'r']],
    PodFailurePolicyOnPodConditionsPattern: [[1, 'type', 'str', 'k'], [2, 'status', 'str']],
    PodFailurePolicyRule: [[1, 'action', 'str', 'k'], [2, 'onExitCodes', 'PodFailurePolicyOnExitCodesRequirement', 'o'],
      [3, 'onPodConditions', 'PodFailurePolicyOnPodConditionsPattern', 'r']],
    SuccessPolicy: [[1, 'rules', 'SuccessPolicyRule', 'r']],
    SuccessPolicyRule: [[1, 'succeededIndexes', 'str', 'o'], [2, 'succeededCount', 'i32', 'o']],
    UncountedTerminatedPods: [[1, 'succeeded', 'str', 'r'], [2, 'failed', 'str', 'r']],
  },
}
