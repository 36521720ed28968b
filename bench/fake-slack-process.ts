/**
 * The local Slack stand-in as a benchmark process of its own (so its work does not land on the
 * relay's event loop). Reports {url} over IPC; exits on 'stop'.
 */
import { FakeSlack } from '../test/servers/fake-slack.ts';

const slack = new FakeSlack({ perSecond: Number(process.argv[2] ?? 1), burst: Number(process.argv[3] ?? 3) });
process.send?.({ url: await slack.start() });
process.on('message', (m) => {
  if (m === 'stop') void slack.close().then(() => process.exit(0));
});
