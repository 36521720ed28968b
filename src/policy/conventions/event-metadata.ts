import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView } from '../../flux/objects.ts';
import type { ConventionCheck } from './convention.ts';

/**
 * Required event metadata. notification-controller adds an Alert's spec.eventMetadata to every
 * event it forwards (`combineEventMetadata`: above the involved object's annotations, below the
 * controller's own metadata), so the keys a platform requires (cluster,
 * team, env) appear in every message. In admission the mutating webhook has already added the
 * policy's defaults (`defaults/event-metadata.ts`), so only keys without a default that this
 * namespace can fill are reported; lint and audit judge the object as written.
 */
export const eventMetadataConvention: ConventionCheck<'eventMetadata'> = {
  key: 'eventMetadata',
  kinds: ['Alert'],
  description:
    'Alerts carry the eventMetadata keys the platform requires (added by the mutating webhook when the policy gives a default).',
  check(ctx, req) {
    const present = alertView(ctx.object).eventMetadata;
    const missing = (req.required ?? []).filter((k) => !Object.hasOwn(present, k) || present[k] === '');
    if (missing.length === 0) return [];
    if (ctx.object.apiVersion?.endsWith('/v1beta1')) {
      return [
        fieldError(
          'Required',
          field('spec', 'eventMetadata'),
          undefined,
          `Alerts in namespace ${quote(ctx.namespace.name)} must carry eventMetadata ${missing.map(quote).join(', ')}, which v1beta1 Alerts cannot hold: use apiVersion notification.toolkit.fluxcd.io/v1beta3`,
        ),
      ];
    }
    return [
      fieldError(
        'Required',
        field('spec', 'eventMetadata'),
        undefined,
        `Alerts in namespace ${quote(ctx.namespace.name)} must carry eventMetadata ${missing.map(quote).join(', ')}: add ${missing.map((k) => `${k}: <value>`).join(', ')} under spec.eventMetadata`,
      ),
    ];
  },
};
