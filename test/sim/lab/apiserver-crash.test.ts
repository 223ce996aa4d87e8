import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('apiserver-crash')
