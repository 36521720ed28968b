import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_TEMPLATE_MAX, messageTemplateProblem, renderMessageTemplate } from './message-template.ts';

test('a template that does not parse is reported at its line and column', () => {
  const table: [string, ReturnType<typeof messageTemplateProblem>][] = [
    ['{{object.kind}} {{reason}}\n{{message}}', undefined],
    ['{{#metadata.cluster}}on {{metadata.cluster}}{{/metadata.cluster}}', undefined],
    ['line one\n{{message', { line: 2, column: 1, reason: 'unclosed tag' }],
    ['ok\n  {{#metadata}}\n{{cluster}}', { line: 2, column: 3, reason: 'unclosed section "metadata"' }],
    ['{{message}}\n\nend {{/metadata}}', { line: 3, column: 5, reason: 'unopened section "metadata"' }],
    ['{{#a}}{{/b}}', { line: 1, column: 1, reason: 'unclosed section "a"' }],
    [
      'x'.repeat(MESSAGE_TEMPLATE_MAX + 1),
      {
        line: 1,
        column: 1,
        reason: `the template is ${MESSAGE_TEMPLATE_MAX + 1} characters long, more than ${MESSAGE_TEMPLATE_MAX}`,
      },
    ],
  ];
  for (const [template, problem] of table) assert.deepEqual(messageTemplateProblem(template), problem, template);
});

test('rendering escapes nothing itself and loads no partial', () => {
  assert.equal(renderMessageTemplate('{{a}} {{{a}}} [{{> other}}]', { a: '<b>' }), '<b> <b> []');
});
