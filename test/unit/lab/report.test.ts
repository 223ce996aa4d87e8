import t from 'tap'
import { failoverStats, median, reportHtml, timelineSvg, type ReportData } from '../../../runtime/lab/report.ts'

const data: ReportData = {
  scenario: 'scheduler-leader-crash',
  mode: 'sim',
  seed: 42,
  startedAt: 0,
  endedAt: 20_000,
  intervals: [
    { component: 'scheduler', id: 'scheduler-0', from: 0, to: 5000 },
    { component: 'scheduler', id: 'scheduler-1', from: 7000, to: 20_000 },
    { component: 'etcd/main', id: 'etcd-main-0', from: 0, to: 20_000, term: 2 },
  ],
  failovers: [
    { time: 7000, event: 'ha.failover', component: 'scheduler', from: 'scheduler-0', to: 'scheduler-1', gapMs: 2000 },
    { time: 15000, event: 'ha.failover', component: 'scheduler', from: 'scheduler-1', to: 'scheduler-0', gapMs: 1000 },
    { time: 16000, event: 'ha.failover', component: 'scheduler', from: 'scheduler-0', to: 'scheduler-1', gapMs: 1600 },
  ],
  faults: [{ time: 5000, kind: 'kill', target: 'scheduler-0' }],
  restarts: [{ time: 5100, id: 'scheduler-0', downtimeMs: 100 }],
  assertions: [
    { name: 'failover gap scheduler <= 3000 ms', passed: true, detail: 'max 2000 ms' },
    { name: 'deployment web available within 20s', passed: false, detail: 'not available after 20 s <script>' },
  ],
}

t.test('failover statistics per component', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 2, 3]), 2.5)
  t.same(failoverStats(data.failovers), [{ component: 'scheduler', count: 3, minMs: 1000, medianMs: 1600, maxMs: 2000 }])
})

t.test('the timeline has a lane per component and a bar per leadership interval', async (t) => {
  const svg = timelineSvg(data)
  t.match(svg, /^<svg /)
  t.match(svg, />etcd\/main</)
  t.match(svg, />scheduler</)
  t.equal((svg.match(/<title>scheduler-\d/g) ?? []).length, 2)
  t.match(svg, /kill scheduler-0 at 5000 ms/)
  t.match(svg, /restarted scheduler-0 after 100 ms/)
})

t.test('the html report shows the verdict, the stats and escapes text', async (t) => {
  const html = reportHtml(data)
  t.match(html, /FAILED/)
  t.match(html, /seed 42/)
  t.match(html, /<td>1600 ms<\/td>/)
  t.notMatch(html, /<script>/, 'detail text is escaped')
  t.match(html, /&lt;script&gt;/)
})
