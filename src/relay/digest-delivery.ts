/**
 * Posts a burst digest (digest.ts) to a resolved destination, in the Provider's layout: Block Kit
 * (digest-blocks.ts) or the legacy attachments (digest-legacy.ts). The digest is named by the
 * Provider's channel, else its `namespace/name`: never by its address, which holds the secret.
 */
import type { DigestAcc } from './digest.ts';
import { digestBlocksPayload } from './digest-blocks.ts';
import { digestLegacyPayload } from './digest-legacy.ts';
import type { ResolvedDestination } from './slack-delivery.ts';
import type { SendResult, SlackSender } from './slack-sender.ts';

/** Sends the digest `acc` of the Provider `destination` (`namespace/name`). */
export function sendDigest(
  sender: SlackSender,
  to: ResolvedDestination,
  destination: string,
  acc: DigestAcc,
  timeoutMs: number,
): Promise<SendResult> {
  const look = { label: to.look.channel || destination, channel: to.look.channel, username: to.look.username };
  const payload = to.look.format === 'legacy' ? digestLegacyPayload(acc, look) : digestBlocksPayload(acc, look);
  return sender.send(to.to, payload, timeoutMs);
}
