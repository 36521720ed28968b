/**
 * Every kind of convention. Adding one: a requirement key in convention.ts, its schema in
 * convention-schema.ts, one pure file here, one line below, one test table, a section in
 * docs/platform.md.
 */
import type { ConventionCheck } from './convention.ts';
import { channelsConvention } from './channels.ts';
import { severityConvention } from './severity.ts';
import { eventMetadataConvention } from './event-metadata.ts';
import { providerPlacementConvention } from './provider-placement.ts';
import { coverageConvention } from './coverage.ts';
import { messagesConvention } from './messages.ts';

/** All convention checks, by requirement key. */
export const CONVENTION_CHECKS: readonly ConventionCheck[] = [
  channelsConvention,
  severityConvention,
  eventMetadataConvention,
  providerPlacementConvention,
  coverageConvention,
  messagesConvention,
] as readonly ConventionCheck[];
