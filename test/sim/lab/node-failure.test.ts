import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('node-failure')
