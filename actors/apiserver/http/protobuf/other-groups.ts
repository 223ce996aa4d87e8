// Small messages of other groups: policy/v1 Eviction (pods/eviction), coordination.k8s.io/v1 Lease,
// autoscaling/v1 Scale (the scale subresource).
import type { MessageTable } from './schema.ts'

export const POLICY: MessageTable = {
  package: 'k8s.io.api.policy.v1',
  messages: {
    Eviction: [[1, 'metadata', 'ObjectMeta'], [2, 'deleteOptions', 'DeleteOptions', 'o']],
  },
}

export const COORDINATION: MessageTable = {
  package: 'k8s.io.api.coordination.v1',
  messages: {
    Lease: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'LeaseSpec']],
    LeaseSpec: [[1, 'holderIdentity', 'str', 'o'], [2, 'leaseDurationSeconds', 'i32', 'o'], [3, 'acquireTime', 'MicroTime', 'o'],
      [4, 'renewTime', 'MicroTime', 'o'], [5, 'leaseTransitions', 'i32', 'o'], [6, 'strategy', 'str', 'o'], [7, 'preferredHolder', 'str', 'o']],
  },
}

export const AUTOSCALING: MessageTable = {
  package: 'k8s.io.api.autoscaling.v1',
  messages: {
    Scale: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'ScaleSpec'], [3, 'status', 'ScaleStatus']],
    ScaleSpec: [[1, 'replicas', 'i32', 'k']],
    ScaleStatus: [[1, 'replicas', 'i32', 'k'], [2, 'selector', 'str']],
  },
}
