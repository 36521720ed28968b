import type { KubeObject } from '../../flux/objects.ts';
import { alert, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertSlackTemplateParses, providerSlackTemplateParses } from './slack-template-parses.ts';

const A = 'notify-guard.fluxcd.community/slack-template';

const annotated = (o: KubeObject, template: string): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, annotations: { [A]: template } },
});

const provider = (template: string) => annotated(slackProvider(), template);

const ks = { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] };

table(providerSlackTemplateParses, [
  ['allows a Provider without a template', { object: slackProvider() }, []],
  [
    'allows a template that parses',
    { object: provider('*{{object.kind}}* {{reason}}\n{{#metadata.cluster}}on {{.}}{{/metadata.cluster}}') },
    [],
  ],
  [
    'rejects an unclosed tag, pointing at its line and column',
    { object: provider('{{object.kind}} failed\nsee {{message') },
    [
      'metadata.annotations[notify-guard.fluxcd.community/slack-template]: Invalid value: "{{object.kind}} failed\\nsee {{message": line 2, column 5: unclosed tag; the relay would pass it over for the next template or its built-in layout: close every {{tag}} and {{#section}}…{{/section}} at the line and column named, or remove the annotation',
    ],
  ],
  [
    'rejects an unclosed section at its opening, cutting a long template in the message',
    { object: provider(`{{#metadata.cluster}}\n${'x'.repeat(80)}`) },
    [
      `metadata.annotations[notify-guard.fluxcd.community/slack-template]: Invalid value: "{{#metadata.cluster}}\\n${'x'.repeat(35)}...": line 1, column 1: unclosed section "metadata.cluster"; the relay would pass it over for the next template or its built-in layout: close every {{tag}} and {{#section}}…{{/section}} at the line and column named, or remove the annotation`,
    ],
  ],
  [
    'rejects a template over 4,096 characters, saying to shorten it',
    { object: provider('x'.repeat(4097)) },
    [
      `metadata.annotations[notify-guard.fluxcd.community/slack-template]: Invalid value: "${'x'.repeat(57)}...": line 1, column 1: the template is 4097 characters long, more than 4096; the relay would pass it over for the next template or its built-in layout: shorten it to at most 4096 characters, or remove the annotation`,
    ],
  ],
  [
    'does not deny an UPDATE that leaves a broken template as it was',
    { object: provider('{{a'), oldObject: provider('{{a'), operation: 'UPDATE' },
    [],
  ],
  [
    'denies an UPDATE that breaks a template',
    { object: provider('{{/a}}'), oldObject: provider('{{a}}'), operation: 'UPDATE' },
    [
      'metadata.annotations[notify-guard.fluxcd.community/slack-template]: Invalid value: "{{/a}}": line 1, column 1: unopened section "a"; the relay would pass it over for the next template or its built-in layout: close every {{tag}} and {{#section}}…{{/section}} at the line and column named, or remove the annotation',
    ],
  ],
]);

table(alertSlackTemplateParses, [
  ['allows an Alert with a template that parses', { object: annotated(alert('apps', 'a', ks), '{{message}}') }, []],
  [
    'rejects an Alert whose template does not parse',
    { object: annotated(alert('apps', 'a', ks), 'ok\n{{#a}}{{/b}}') },
    [
      'metadata.annotations[notify-guard.fluxcd.community/slack-template]: Invalid value: "ok\\n{{#a}}{{/b}}": line 2, column 1: unclosed section "a"; the relay would pass it over for the next template or its built-in layout: close every {{tag}} and {{#section}}…{{/section}} at the line and column named, or remove the annotation',
    ],
  ],
]);
