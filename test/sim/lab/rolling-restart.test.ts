import { shippedScenarioTest } from './shipped.ts'

shippedScenarioTest('rolling-restart')
