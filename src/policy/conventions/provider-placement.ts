import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import type { ConventionCheck } from './convention.ts';

/**
 * Where Providers may live and which types each namespace may use. notification-controller
 * builds a notifier for any type its factory knows (`Factory.Notifier`, internal/notifier/
 * factory.go) in any namespace; this convention is the platform's choice only.
 */
export const providerPlacementConvention: ConventionCheck<'providers'> = {
  key: 'providers',
  kinds: ['Provider'],
  description: 'Providers live only in the namespaces the platform allows, with the types it allows there.',
  check(ctx, req) {
    const p = providerView(ctx.object);
    const out: FieldError[] = [];
    if (req.allowed === false) {
      out.push(
        fieldError(
          'Forbidden',
          field('metadata', 'namespace'),
          undefined,
          `Providers may not be created in namespace ${quote(ctx.namespace.name)}: use the Provider the platform team runs for you, or ask it`,
        ),
      );
    } else if (req.allowedTypes && !req.allowedTypes.includes(p.type)) {
      out.push(
        fieldError(
          'NotSupported',
          field('spec', 'type'),
          p.type,
          `namespace ${quote(ctx.namespace.name)} may use Provider types ${req.allowedTypes.map(quote).join(', ')}`,
        ),
      );
    }
    return out;
  },
};
