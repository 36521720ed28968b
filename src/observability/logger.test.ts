import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, resolveLogFormat } from './logger.ts';

function sink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return {
    lines,
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString('utf8'));
        cb();
      },
    }),
  };
}

test('--log-format auto is text on a terminal and JSON otherwise; json and text are taken as given', () => {
  assert.deepEqual(
    [
      resolveLogFormat('auto', true),
      resolveLogFormat('auto', false),
      resolveLogFormat('json', true),
      resolveLogFormat('text', false),
    ],
    ['text', 'json', 'json', 'text'],
  );
});

test('text format: a readable line with the level, the message and the fields, secrets redacted as in JSON', () => {
  const { lines, stream } = sink();
  const logger = createLogger('info', stream, 'text');
  logger.info(
    { listen: '127.0.0.1:9292', token: 'xoxb-secret', object: { data: { address: 'aHR0cHM6Ly9ob29rcw==' } } },
    'relay listening',
  );
  logger.debug('below the level');
  const text = lines.join('').replace(/^\[\d\d:\d\d:\d\d\.\d{3}\] /gm, '');
  assert.equal(
    text,
    'INFO: relay listening\n    listen: "127.0.0.1:9292"\n    token: "[redacted]"\n    object: {\n      "data": "[redacted]"\n    }\n',
  );
  assert.equal(lines.join('').includes('xoxb-secret') || lines.join('').includes('aHR0cHM6Ly9ob29rcw=='), false);
});

test('JSON format: one JSON line per entry, secrets redacted', () => {
  const { lines, stream } = sink();
  createLogger('info', stream).warn({ headers: { authorization: 'Bearer abc' } }, 'slow');
  const entry = JSON.parse(lines.join(''));
  assert.deepEqual(
    [entry.level, entry.app, entry.msg, entry.headers],
    [40, 'notify-guard', 'slow', { authorization: '[redacted]' }],
  );
});
