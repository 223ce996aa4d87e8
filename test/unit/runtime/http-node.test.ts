import t from 'tap'
import { nodeHttp } from '../../../runtime/io/http-node.ts'
import { nodeIo } from '../../../runtime/io/node-io.ts'

t.test('the node HTTP adapter serves on a loopback port and closes', async (t) => {
  const l = await nodeHttp().listen({ host: '127.0.0.1', port: 0 }, (req, res) => {
    res.end(`hello ${req.url ?? ''}`)
  })
  t.equal(l.host, '127.0.0.1')
  t.ok(l.port > 0)
  const body = await (await fetch(`http://127.0.0.1:${l.port}/x`)).text()
  t.equal(body, 'hello /x')
  await l.close()
  await t.rejects(fetch(`http://127.0.0.1:${l.port}/x`))
  t.ok(nodeIo().http, 'nodeIo includes the http adapter')
})
