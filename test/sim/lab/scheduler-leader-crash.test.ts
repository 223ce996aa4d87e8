import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('scheduler-leader-crash')
