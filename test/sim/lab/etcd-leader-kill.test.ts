import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('etcd-leader-kill')
