import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('etcd-disk-stall')
