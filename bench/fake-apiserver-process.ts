/**
 * The test API server as a benchmark process of its own, serving the synthetic cluster
 * (argv: objects per kind, namespaces). Reports {url} over IPC; exits on 'stop'.
 */
import { FakeApiServer, fluxResources } from '../test/servers/fake-apiserver.ts';
import { syntheticCluster } from './synthetic-cluster.ts';

const server = new FakeApiServer(fluxResources(), { bookmarkIntervalMs: 60_000 });
for (const obj of syntheticCluster(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 1_000)))
  server.apply(obj);
const url = await server.start();
process.send?.({ url });
process.on('message', (m) => {
  if (m === 'stop') void server.close().then(() => process.exit(0));
});
