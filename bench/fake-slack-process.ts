/**
 * The local Slack stand-in as a benchmark process of its own (so its work does not land on the
 * relay's event loop). Reports {url} over IPC; on 'count' answers what it received: messages sent
 * alone, burst digests (username `Flux`, header `N events for …`) and the events those digests
 * say they hold; exits on 'stop'.
 */
import { FakeSlack } from '../test/servers/fake-slack.ts';

const slack = new FakeSlack({ perSecond: Number(process.argv[2] ?? 1), burst: Number(process.argv[3] ?? 3) });
process.send?.({ url: await slack.start() });

/** Counts what was received; `slack.received` is emptied as it is counted, so a long storm keeps no bodies. */
const counted = { alone: 0, digests: 0, digestEvents: 0 };
function count(): typeof counted {
  for (const m of slack.received.splice(0)) {
    const header = (m.body['blocks'] as { type: string; text?: { text: string } }[] | undefined)?.[0];
    const digest = m.body['username'] === 'Flux' && /^\S+ ([\d,]+) events? for /.exec(header?.text?.text ?? '');
    if (digest) {
      counted.digests++;
      counted.digestEvents += Number(digest[1]!.replaceAll(',', ''));
    } else counted.alone++;
  }
  return counted;
}
setInterval(count, 1000).unref();

process.on('message', (m) => {
  if (m === 'count') process.send?.({ count: count() });
  if (m === 'stop') void slack.close().then(() => process.exit(0));
});
