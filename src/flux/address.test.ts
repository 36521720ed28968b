import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFacts, addressProblem } from './address.ts';

const SLACK = ['hooks.slack.com', 'slack.com'];

test('derives host, scheme and Slack kind without keeping the URL', () => {
  const f = addressFacts('https://hooks.slack.com/services/T123ABC/B456DEF/abcdefghijklmnop');
  assert.deepEqual(f, {
    length: 65, absolute: true, scheme: 'https', host: 'hooks.slack.com',
    placeholder: undefined, slackAppWebhook: true, chatPostMessage: false,
  });
  assert.equal(JSON.stringify(f).includes('abcdefghijklmnop'), false);
});

test('recognises the tutorial placeholder by its all-zero team id', () => {
  const f = addressFacts('https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX');
  assert.equal(f.placeholder, 'it holds an all-zero Slack id such as T00000000');
  assert.equal(addressProblem(f, SLACK),
    'the address looks like a placeholder copied from an example (it holds an all-zero Slack id such as T00000000); put the real webhook URL from Slack there');
});

test('rejects http, relative URLs, foreign hosts and over-long addresses with a sentence that names no secret', () => {
  assert.equal(addressProblem(addressFacts('http://hooks.slack.com/services/T1/B1/z'), SLACK), 'the address uses scheme "http"; only https is allowed');
  assert.equal(addressProblem(addressFacts('hooks.slack.com/services/x'), SLACK),
    'the address is not an absolute URL; use https://hooks.slack.com/services/... or https://slack.com/api/chat.postMessage');
  assert.equal(addressProblem(addressFacts('https://metadata.internal/latest'), SLACK),
    'host "metadata.internal" is not an allowed destination (allowed: "hooks.slack.com", "slack.com"); ask the platform team to add it to the policy\'s spec.destinations.allowedHosts');
  assert.equal(addressProblem(addressFacts('https://slack.com/' + 'a'.repeat(2040)), SLACK), 'the address is 2058 bytes long; at most 2048 are allowed');
});

test('accepts a real-looking webhook and the chat.postMessage endpoint', () => {
  assert.equal(addressProblem(addressFacts('https://hooks.slack.com/services/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'), SLACK), undefined);
  const chat = addressFacts('https://slack.com/api/chat.postMessage');
  assert.equal(chat.chatPostMessage, true);
  assert.equal(addressProblem(chat, SLACK), undefined);
});
