import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('etcd-partition')
