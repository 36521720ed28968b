import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDeliveries } from './deliveries-answer.ts';
import type { SenderGate } from './sender-gate.ts';

const own = () => [{ alert: 'apps/mine', lastDelivered: '2026-12-02T00:00:00.000Z' }];
const senders = [{ alert: 'apps/all', lastDelivered: '2026-12-02T01:00:00.000Z' }];
const gate = (isSender: boolean, url?: string): SenderGate => ({ isSender: () => isSender, senderUrl: () => url });

test("GET /deliveries: the own table alone or as the sender; else the sender's, or the own one saying why", async () => {
  const asked: string[] = [];
  const fromSender = async (url: string) => {
    asked.push(url);
    return url.startsWith('http://b') ? { items: senders } : 'connection failed';
  };
  assert.deepEqual(await answerDeliveries(own, undefined, fromSender), { items: own() });
  assert.deepEqual(await answerDeliveries(own, gate(true), fromSender), { items: own() });
  assert.deepEqual(await answerDeliveries(own, gate(false, 'http://b:9293/handoff'), fromSender), { items: senders });
  assert.deepEqual(await answerDeliveries(own, gate(false, 'http://c:9293/handoff'), fromSender), {
    items: own(),
    incomplete: "the sender did not answer (connection failed): this is this replica's own table",
  });
  assert.deepEqual(await answerDeliveries(own, gate(false), fromSender), {
    items: own(),
    incomplete: "no sender is elected: this is this replica's own table",
  });
  assert.deepEqual(asked, ['http://b:9293/deliveries', 'http://c:9293/deliveries']);
});
