// k8s.io/apimachinery meta/v1 messages shared by every kind. Time, MicroTime, Quantity, IntOrString,
// RawExtension and FieldsV1 are special types handled by the decoder itself (special.ts).
import type { MessageTable } from './schema.ts'

export const META: MessageTable = {
  package: 'k8s.io.apimachinery.pkg.apis.meta.v1',
  messages: {
    ObjectMeta: [[1, 'name', 'str'], [2, 'generateName', 'str'], [3, 'namespace', 'str'], [4, 'selfLink', 'str'], [5, 'uid', 'str'],
      [6, 'resourceVersion', 'str'], [7, 'generation', 'i64'], [8, 'creationTimestamp', 'Time'], [9, 'deletionTimestamp', 'Time', 'o'],
      [10, 'deletionGracePeriodSeconds', 'i64', 'o'], [11, 'labels', 'map:str'], [12, 'annotations', 'map:str'],
      [13, 'ownerReferences', 'OwnerReference', 'r'], [14, 'finalizers', 'str', 'r'], [17, 'managedFields', 'ManagedFieldsEntry', 'r']],
    OwnerReference: [[5, 'apiVersion', 'str', 'k'], [1, 'kind', 'str', 'k'], [3, 'name', 'str', 'k'], [4, 'uid', 'str', 'k'],
      [6, 'controller', 'bool', 'o'], [7, 'blockOwnerDeletion', 'bool', 'o']],
    ManagedFieldsEntry: [[1, 'manager', 'str'], [2, 'operation', 'str'], [3, 'apiVersion', 'str'], [4, 'time', 'Time', 'o'],
      [6, 'fieldsType', 'str'], [7, 'fieldsV1', 'FieldsV1', 'o'], [8, 'subresource', 'str']],
    LabelSelector: [[1, 'matchLabels', 'map:str'], [2, 'matchExpressions', 'LabelSelectorRequirement', 'r']],
    LabelSelectorRequirement: [[1, 'key', 'str', 'k'], [2, 'operator', 'str', 'k'], [3, 'values', 'str', 'r']],
    Condition: [[1, 'type', 'str', 'k'], [2, 'status', 'str', 'k'], [3, 'observedGeneration', 'i64'], [4, 'lastTransitionTime', 'Time'],
      [5, 'reason', 'str', 'k'], [6, 'message', 'str', 'k']],
    DeleteOptions: [[1, 'gracePeriodSeconds', 'i64', 'o'], [2, 'preconditions', 'Preconditions', 'o'], [3, 'orphanDependents', 'bool', 'o'],
      [4, 'propagationPolicy', 'str', 'o'], [5, 'dryRun', 'str', 'r'], [6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'o']],
    Preconditions: [[1, 'uid', 'str', 'o'], [2, 'resourceVersion', 'str', 'o']],
  },
}
