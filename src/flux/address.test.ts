import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFacts, addressProblem, placeholderReason, slackWebhookShapeProblem } from './address.ts';

const SLACK = ['hooks.slack.com', 'slack.com'];

test('derives host, scheme and Slack kind without keeping the URL', () => {
  const f = addressFacts('https://hooks.slack.com/services/T123ABC/B456DEF/abcdefghijklmnop');
  assert.deepEqual(f, {
    length: 65,
    absolute: true,
    scheme: 'https',
    host: 'hooks.slack.com',
    placeholder: undefined,
    slackAppWebhook: true,
    slackWebhookShape: undefined,
    slackWorkflow: false,
    chatPostMessage: false,
    slackWebhookId: 'T123ABC/B456DEF',
  });
  assert.equal(JSON.stringify(f).includes('abcdefghijklmnop'), false);
});

test('recognises the tutorial placeholder by its all-zero team id', () => {
  const f = addressFacts('https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX');
  assert.equal(f.placeholder, 'it holds an all-zero Slack id such as T00000000');
  assert.equal(
    addressProblem(f, SLACK),
    'the address looks like a placeholder copied from an example (it holds an all-zero Slack id such as T00000000); put the real webhook URL from Slack there',
  );
});

test('rejects http, relative URLs, foreign hosts and over-long addresses with a sentence that names no secret', () => {
  assert.equal(
    addressProblem(addressFacts('http://hooks.slack.com/services/T1/B1/z'), SLACK),
    'the address uses scheme "http"; only https is allowed',
  );
  assert.equal(
    addressProblem(addressFacts('hooks.slack.com/services/x'), SLACK),
    'the address is not an absolute URL; use https://hooks.slack.com/services/... or https://slack.com/api/chat.postMessage',
  );
  assert.equal(
    addressProblem(addressFacts('https://metadata.internal/latest'), SLACK),
    'host "metadata.internal" is not an allowed destination (allowed: "hooks.slack.com", "slack.com"); ask the platform team to add it to the policy\'s spec.destinations.allowedHosts',
  );
  assert.equal(
    addressProblem(addressFacts('https://slack.com/' + 'a'.repeat(2040)), SLACK),
    'the address is 2058 bytes long; at most 2048 are allowed',
  );
});

test('accepts a real-looking webhook and the chat.postMessage endpoint', () => {
  assert.equal(
    addressProblem(
      addressFacts('https://hooks.slack.com/services/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'),
      SLACK,
    ),
    undefined,
  );
  const chat = addressFacts('https://slack.com/api/chat.postMessage');
  assert.equal(chat.chatPostMessage, true);
  assert.equal(addressProblem(chat, SLACK), undefined);
});

test('an address over 2048 bytes is judged by its length alone: no URL is parsed and no pattern runs', () => {
  const f = addressFacts(`https://hooks.slack.com/services/${'T'.repeat(1 << 20)}`);
  assert.deepEqual(f, {
    length: (1 << 20) + 33,
    absolute: false,
    scheme: '',
    host: '',
    placeholder: undefined,
    slackAppWebhook: false,
    slackWebhookShape: undefined,
    slackWorkflow: false,
    chatPostMessage: false,
  });
  assert.equal(addressProblem(f, SLACK), 'the address is 1048609 bytes long; at most 2048 are allowed');
});

test('the placeholder and webhook-shape checks take time linear in their input', () => {
  // Inputs that make a backtracking pattern quadratic: many "<" without ">", long runs of "0" after
  // "T" split by "/", runs of 5 X broken by a character. Each check is timed on 1 KiB inputs many
  // times (a baseline), then once on a 1 MiB input: linear work takes about the same total time,
  // quadratic work about 1,000 times more. The ratio allowed is generous (25) and no absolute
  // threshold is used, so a slow or busy machine cannot fail it.
  const hostile = (n: number) => [
    '<'.repeat(n),
    `/T${'0'.repeat(5)}x`.repeat(n / 8),
    'XXXXXa'.repeat(n / 6),
    `/${'/'.repeat(n)}`,
  ];
  const checks = [(s: string) => placeholderReason(s), (s: string) => slackWebhookShapeProblem(`/services/${s}`)];
  const time = (inputs: string[], rounds: number) => {
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const s of inputs) for (const c of checks) c(s);
    return Number(process.hrtime.bigint() - start);
  };
  const small = hostile(1024);
  const large = hostile(1 << 20);
  time(small, 50); // warm up the JIT
  const baseline = time(small, 1024);
  const judged = time(large, 1);
  assert.ok(judged < baseline * 25, `1 MiB took ${judged} ns, 1,024 x 1 KiB took ${baseline} ns`);
});

test('Slack incoming-webhook paths: T…/B…/secret passes; placeholders and missing segments do not', () => {
  assert.equal(slackWebhookShapeProblem('/services/T0AB12CD3/B0CD34EF5/q1w2e3r4t5y6u7i8o9p0a1s2'), undefined);
  assert.match(slackWebhookShapeProblem('/services/YOUR/SLACK/WEBHOOK') ?? '', /its segments are not a team id/);
  assert.match(slackWebhookShapeProblem('/services/') ?? '', /it has nothing after \/services\//);
  assert.match(
    slackWebhookShapeProblem('/services/T0AB12CD3/B0CD34EF5') ?? '',
    /it has 2 path segments after \/services\/ instead of 3/,
  );
  assert.equal(addressFacts('https://hooks.slack.com/workflows/T1/A1/1/x').slackWorkflow, true);
  assert.equal(addressFacts('https://slack-gov.com/api/chat.postMessage').chatPostMessage, true);
});
