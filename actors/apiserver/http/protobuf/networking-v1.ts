// k8s.io/api networking/v1 messages: Ingress.
import type { MessageTable } from './schema.ts'

export const NETWORKING: MessageTable = {
  package: 'k8s.io.api.networking.v1',
  messages: {
    Ingress: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'IngressSpec'], [3, 'status', 'IngressStatus']],
    IngressSpec: [[4, 'ingressClassName', 'str', 'o'], [1, 'defaultBackend', 'IngressBackend', 'o'], [2, 'tls', 'IngressTLS', 'r'],
      [3, 'rules', 'IngressRule', 'r']],
    IngressBackend: [[4, 'service', 'IngressServiceBackend', 'o'], [3, 'resource', 'TypedLocalObjectReference', 'o']],
    IngressServiceBackend: [[1, 'name', 'str', 'k'], [2, 'port', 'ServiceBackendPort']],
    ServiceBackendPort: [[1, 'name', 'str'], [2, 'number', 'i32']],
    IngressTLS: [[1, 'hosts', 'str', 'r'], [2, 'secretName', 'str']],
    IngressRule: [[1, 'host', 'str'], [2, 'ingressRuleValue', 'IngressRuleValue', 'i']],
    IngressRuleValue: [[1, 'http', 'HTTPIngressRuleValue', 'o']],
    HTTPIngressRuleValue: [[1, 'paths', 'HTTPIngressPath', 'r']],
    HTTPIngressPath: [[1, 'path', 'str'], [3, 'pathType', 'str', 'o'], [2, 'backend', 'IngressBackend']],
    IngressStatus: [[1, 'loadBalancer', 'IngressLoadBalancerStatus']],
    IngressLoadBalancerStatus: [[1, 'ingress', 'IngressLoadBalancerIngress', 'r']],
    IngressLoadBalancerIngress: [[1, 'ip', 'str'], [2, 'hostname', 'str'], [4, 'ports', 'IngressPortStatus', 'r']],
    IngressPortStatus: [[1, 'port', 'i32', 'k'], [2, 'protocol', 'str', 'k'], [3, 'error', 'str', 'o']],
  },
}
