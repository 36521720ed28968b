import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorString, fieldError } from './field-error.ts';
import { field } from './field-path.ts';

test('prints a Not found error with the quoted value and detail, as apimachinery does', () => {
  const e = fieldError('NotFound', field('spec', 'providerRef', 'name'), 'slack', 'no Provider here');
  assert.equal(errorString(e), 'spec.providerRef.name: Not found: "slack": no Provider here');
});

test('never prints the value of Required, Forbidden and Too long errors', () => {
  const p = field('spec').child('eventSources').index(2).child('namespace');
  assert.equal(errorString(fieldError('Required', p, 'x', 'd')), 'spec.eventSources[2].namespace: Required value: d');
  assert.equal(errorString(fieldError('Forbidden', p, 'x', 'd')), 'spec.eventSources[2].namespace: Forbidden: d');
  assert.equal(errorString(fieldError('TooLong', p, 'x', 'd')), 'spec.eventSources[2].namespace: Too long: d');
});

test('omits the value when none is given, so Secret data never reaches a message', () => {
  const e = fieldError('Invalid', field('data').key('address'), undefined, 'not an https URL');
  assert.equal(errorString(e), 'data[address]: Invalid value: not an https URL');
});

test('prints non-string values as JSON', () => {
  const e = fieldError('Invalid', field('spec', 'eventSources').index(0).child('matchLabels'), { app: 'x' }, 'd');
  assert.equal(errorString(e), 'spec.eventSources[0].matchLabels: Invalid value: {"app":"x"}: d');
});
