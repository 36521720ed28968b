/**
 * The Lease side of leader election, pure: what a candidate does with the coordination.k8s.io/v1
 * Lease it has just read, at an instant of its own clock. This follows client-go's
 * `LeaderElector.tryAcquireOrRenew` (k8s.io/client-go/tools/leaderelection/leaderelection.go):
 * a candidate trusts no timestamp written by another replica; it notes the instant, on its own
 * clock, at which it last saw the record change, and takes the Lease only when the record has not
 * changed for a whole `leaseDurationSeconds` since then. The holder renews whatever the record
 * says. So a Lease renewed by a live holder is never taken, whatever the clocks of the replicas.
 */

/** The Lease's spec, as the API serves it. */
export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

/** What a candidate remembers between tries: the record as last read and when it changed. */
export interface LeaseObservation {
  /** The spec as last read (JSON), or undefined before the first read. */
  readonly record: string | undefined;
  /** This replica's clock (ms) when `record` was first seen. */
  readonly at: number;
}

/** What to write: nothing (the Lease is someone else's), or this spec (create or update). */
export type LeaseDecision =
  | {
      readonly write: 'none';
      readonly holder: string;
      readonly lapsesAt: number;
      readonly observation: LeaseObservation;
    }
  | { readonly write: 'create' | 'update'; readonly spec: LeaseSpec; readonly observation: LeaseObservation };

/** MicroTime as the API serves it: RFC 3339 with microseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Decides at `now` (this replica's clock, ms) what `identity` does with `current` (undefined: no
 * Lease yet), given what it observed before. `durationSeconds` is written into the Lease.
 */
export function decideLease(
  current: LeaseSpec | undefined,
  seen: LeaseObservation,
  o: { identity: string; durationSeconds: number; now: number },
): LeaseDecision {
  const stamp = microTime(new Date(o.now));
  if (current === undefined) {
    const spec = {
      holderIdentity: o.identity,
      leaseDurationSeconds: o.durationSeconds,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };
    return { write: 'create', spec, observation: seen };
  }
  const record = JSON.stringify(current);
  const observation = record === seen.record ? seen : { record, at: o.now };
  const holder = current.holderIdentity || undefined;
  const mine = holder === o.identity;
  const durationMs = (current.leaseDurationSeconds ?? o.durationSeconds) * 1000;
  const lapsesAt = observation.at + durationMs;
  if (holder !== undefined && !mine && o.now < lapsesAt) return { write: 'none', holder, lapsesAt, observation };
  const spec: LeaseSpec = mine
    ? { ...current, leaseDurationSeconds: o.durationSeconds, renewTime: stamp }
    : {
        ...current,
        holderIdentity: o.identity,
        leaseDurationSeconds: o.durationSeconds,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: (current.leaseTransitions ?? 0) + 1,
      };
  return { write: 'update', spec, observation };
}

/** The spec that gives the Lease up (client-go's `release`): no holder, so others take it at once. */
export function releasedLease(current: LeaseSpec, now: number): LeaseSpec {
  return {
    leaseDurationSeconds: 1,
    leaseTransitions: current.leaseTransitions ?? 0,
    renewTime: microTime(new Date(now)),
  };
}
