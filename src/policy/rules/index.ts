/**
 * Every rule, in the order findings are reported. Adding a rule: one file in this folder (with
 * `follows`: the notification-controller function it follows), one line here, one test table beside it
 * (`<rule-id>.test.ts`, run through the engine by test/support/run-rule.ts),
 * then `npm run docs:rules` to regenerate docs/rules.md (rules-doc.test.ts fails when it is stale).
 */
import type { Rule } from '../rule.ts';
import { alertProviderRefNonempty } from './alert-provider-ref-nonempty.ts';
import { alertProviderExists } from './alert-provider-exists.ts';
import { alertProviderSuspended } from './alert-provider-suspended.ts';
import { alertEventSourcesNonempty } from './alert-event-sources-nonempty.ts';
import { alertSourceNamespaceWildcard } from './alert-source-namespace-wildcard.ts';
import { alertCrossNamespaceSource } from './alert-cross-namespace-source.ts';
import { alertSourceExists } from './alert-source-exists.ts';
import { alertSourceLabels } from './alert-source-labels.ts';
import { alertRegexValid } from './alert-regex-valid.ts';
import { alertRegexIgnored } from './alert-regex-ignored.ts';
import { providerSecretExists } from './provider-secret-exists.ts';
import { providerSecretPending } from './provider-secret-pending.ts';
import { providerSecretKeys } from './provider-secret-keys.ts';
import { providerCredentialsPair } from './provider-credentials-pair.ts';
import { providerAddress } from './provider-address.ts';
import { providerAddressOverridden } from './provider-address-overridden.ts';
import { providerSlackWorkflow } from './provider-slack-workflow.ts';
import { providerChannelIgnored } from './provider-channel-ignored.ts';
import { providerDeleteReferenced } from './provider-delete-referenced.ts';
import { secretKeysKept } from './secret-keys-kept.ts';
import { secretCredentialsPair } from './secret-credentials-pair.ts';
import { secretDeleteReferenced } from './secret-delete-referenced.ts';
import { slackTemplateRules } from './slack-template-parses.ts';

/** All rules of this project. */
export const ALL_RULES: readonly Rule[] = [
  alertProviderRefNonempty,
  alertProviderExists,
  alertProviderSuspended,
  alertEventSourcesNonempty,
  alertSourceNamespaceWildcard,
  alertCrossNamespaceSource,
  alertSourceExists,
  alertSourceLabels,
  alertRegexValid,
  alertRegexIgnored,
  providerSecretExists,
  providerSecretPending,
  providerSecretKeys,
  providerCredentialsPair,
  providerAddress,
  providerAddressOverridden,
  providerSlackWorkflow,
  providerChannelIgnored,
  providerDeleteReferenced,
  secretKeysKept,
  secretCredentialsPair,
  secretDeleteReferenced,
  ...slackTemplateRules,
];
