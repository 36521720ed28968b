import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DigestAcc } from './digest.ts';
import { MAX_GROUPS } from './digest.ts';
import { digestBlocksPayload } from './digest-blocks.ts';
import type { Block, SlackBlocksPayload } from './slack-blocks.ts';
import { BLOCK_LIMITS } from './slack-blocks.ts';
import { ev, folded, HEALTH, MIXED_BURST, T0 } from '../../test/support/digest-bursts.ts';

const date = (s: number) =>
  `<!date^${1795428000 + s}^{date_short_pretty} {time_secs}|${new Date(T0 + s * 1000).toISOString()}>`;
const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
/** The text of block `i`, a section with text. */
function sectionText(p: SlackBlocksPayload, i: number): string {
  const b = p.blocks[i];
  assert.ok(b?.type === 'section' && 'text' in b, `block ${i} is a section with text`);
  return b.text.text;
}

/** Every limit Slack documents for what the relay sends. */
function assertWithinLimits(p: SlackBlocksPayload): void {
  assert.ok(p.blocks.length <= BLOCK_LIMITS.blocks, `${p.blocks.length} blocks`);
  assert.ok(p.text.length <= BLOCK_LIMITS.text, `text of ${p.text.length}`);
  assert.ok(p.username.length <= BLOCK_LIMITS.username, 'username');
  for (const b of p.blocks) {
    if (b.type === 'header') assert.ok(b.text.text.length <= BLOCK_LIMITS.header, `header of ${b.text.text.length}`);
    else if (b.type === 'context')
      for (const el of b.elements) assert.ok(el.text.length <= BLOCK_LIMITS.context && el.text.length > 0, 'context');
    else if ('text' in b)
      assert.ok(
        b.text.text.length <= BLOCK_LIMITS.section && b.text.text.length > 0,
        `section of ${b.text.text.length}`,
      );
    else assert.fail('the digest sends no fields');
  }
}

test('a mixed burst: header, summary, errors before infos by count, three examples a group and how many more, cuts counted', () => {
  const p = digestBlocksPayload(folded(MIXED_BURST), { label: '#ops', channel: '#ops' });
  assert.deepEqual(p, {
    channel: '#ops',
    username: 'Flux',
    text:
      '8 events for #ops in 3m: 6 errors, 2 infos\n' +
      '5 × HealthCheckFailed · Kustomization in apps\n' +
      '1 × ArtifactFailed · GitRepository in flux-system\n' +
      '2 × ReconciliationSucceeded · Kustomization in apps',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '🔴 8 events for #ops in 3m' } },
      section(`*6 errors* and *2 infos* from ${date(0)} to ${date(210)}`),
      section(
        `🔴 *HealthCheckFailed · Kustomization in apps* · 5 events · ${date(30)} to ${date(210)}\n` +
          `• *podinfo*: ${HEALTH}\n• *redis*: ${HEALTH}\n• *cache*: ${HEALTH}\nand 2 more`,
      ),
      section(
        `🔴 *ArtifactFailed · GitRepository in flux-system* · 1 event · ${date(90)}\n` +
          '• *fleet*: checkout &lt;https://evil.example|here&gt; &amp; &lt;!channel&gt;',
      ),
      section(
        `🟢 *ReconciliationSucceeded · Kustomization in apps* · 2 events · ${date(0)} to ${date(180)}\n` +
          `• *frontend*: Reconciliation finished in 2s\n• *backend*: ${'x'.repeat(500)}... (20 more characters)`,
      ),
    ],
  });
  assertWithinLimits(p);
});

test('only infos: a green header; a Provider username; no channel when the Provider has none', () => {
  const p = digestBlocksPayload(folded(MIXED_BURST.filter((e) => e.severity === 'info').slice(0, 1)), {
    label: 'apps/slack',
    username: 'flux-bot',
  });
  assert.deepEqual(p.blocks[0], {
    type: 'header',
    text: { type: 'plain_text', text: '🟢 1 event for apps/slack in 0s' },
  });
  assert.equal(p.username, 'flux-bot');
  assert.equal('channel' in p, false);
});

test('mrkdwn control sequences in every piece of event text and in the label arrive escaped', () => {
  const nasty = '<!channel> <@U123> <https://x.example|y> & <!here>';
  const p = digestBlocksPayload(folded([ev('error', nasty, [nasty, nasty, nasty], nasty)]), {
    label: `#ops ${nasty}`,
    username: nasty,
  });
  const raw = JSON.stringify(p).replace(/<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|[^>]+>/g, '');
  assert.equal(/[<>]/.test(raw), false, raw);
  const escaped = '&lt;!channel&gt; &lt;@U123&gt; &lt;https://x.example|y&gt; &amp; &lt;!here&gt;';
  assert.equal(sectionText(p, 2).split('\n')[1], `• *${escaped}*: ${escaped}`);
  assert.equal(p.username, escaped);
  assertWithinLimits(p);
});

test('10,000 groups: 40 counted, the rest said in one line "and N more events in groups not shown", within the limits', () => {
  const events = Array.from({ length: 10_000 }, (_, i) =>
    ev(i % 2 ? 'info' : 'error', `Reason${i}`, ['Kustomization', `ns${i}`, `o${i}`], `message ${i}`),
  );
  const p = digestBlocksPayload(folded(events, 10), { label: '#ops' });
  assert.equal(p.blocks.length, 2 + MAX_GROUPS + 1);
  assert.deepEqual(p.blocks.at(-1), {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'and 9,960 more events in groups not shown' }],
  });
  assert.equal(p.text.split('\n').at(-1), 'and 9,960 more events in groups not shown');
  assertWithinLimits(p);
});

test('an accumulator holding more groups than blocks (built by hand): 47 group sections, the rest counted', () => {
  const acc = folded([ev('error', 'R', ['K', 'n', 'o'], 'm')]);
  const groups = Array.from({ length: 10_000 }, (_, i) => ({ ...acc.groups[0]!, reason: `R${i}`, count: 10_000 - i }));
  const big: DigestAcc = { ...acc, count: groups.reduce((n, g) => n + g.count, 0), errors: 0, groups };
  const p = digestBlocksPayload(big, { label: '#ops' });
  assert.equal(p.blocks.length, BLOCK_LIMITS.blocks);
  assert.equal(p.blocks.filter((b) => b.type === 'section').length, 1 + 47);
  const hidden = big.count - groups.slice(0, 47).reduce((n, g) => n + g.count, 0);
  assert.deepEqual(p.blocks.at(-1), {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `and ${hidden.toLocaleString('en-US')} more events in groups not shown` }],
  });
  assertWithinLimits(p);
});

test('3 MB messages of ampersands, reasons and names at their bounds, a long label: every limit kept, cuts counted', () => {
  const amp = '&'.repeat(3_000_000);
  const events = Array.from({ length: 12 }, (_, i) =>
    ev('error', `${'<'.repeat(127)}${i % 2}`, ['&'.repeat(63), '>'.repeat(63), `${'&'.repeat(252)}${i}`], amp),
  );
  const p = digestBlocksPayload(folded(events), { label: '&'.repeat(1000), username: '&'.repeat(1000) });
  assertWithinLimits(p);
  const s = sectionText(p, 2);
  assert.match(s, /^🔴 \*(&lt;){127}[01]/);
  const lines = s.split('\n').slice(1);
  assert.equal(lines.length, 4);
  assert.equal(lines[3], 'and 3 more');
  for (const line of lines.slice(0, 3)) {
    // What is shown plus what is said to be cut is the whole: 253 characters of name, 3,000,000 of message.
    const m = /^• \*((?:&amp;)+)\.\.\. \((\d+) more characters\)\*: ((?:&amp;)+)\.\.\. \((\d+) more characters\)$/.exec(
      line,
    );
    assert.ok(m, line);
    assert.equal(m[1]!.length / 5 + Number(m[2]), 253);
    assert.equal(m[3]!.length / 5 + Number(m[4]), 3_000_000);
  }
});
