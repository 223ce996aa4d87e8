import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('controller-manager-hang')
