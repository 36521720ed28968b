/**
 * Kubernetes Warning events on an Alert whose notification failed for good, as Flux's
 * notification-controller records them (reason `NotificationDispatchFailed`), so `kubectl describe
 * alert` shows the failure; and Normal `NotificationDelivered` events (at most one per Alert per
 * interval, delivery-status.ts), so it also shows that the Alert delivers. The message names the Provider and the reason, never an address.
 * In cluster-dir mode there is no API server: the dead letter and the log line are the record.
 */
import { randomBytes } from 'node:crypto';
import type { KubeApi } from '../cluster/kube-api.ts';
import { NOTIFICATION_GROUP } from '../flux/api.ts';
import type { Logger } from '../observability/logger.ts';

export const DISPATCH_FAILED_REASON = 'NotificationDispatchFailed';

/** Records a Warning event on an Alert. */
export interface WarningRecorder {
  dispatchFailed(alert: { namespace: string; name: string }, message: string): Promise<void>;
  /** A Normal `NotificationDelivered` event (the relay sends at most one per Alert per interval). */
  delivered?(alert: { namespace: string; name: string }, message: string): Promise<void>;
}

export const DELIVERED_REASON = 'NotificationDelivered';

/** Posts core/v1 Events through the API; failures are logged, never thrown. */
export function apiWarningRecorder(
  api: KubeApi,
  o: { notificationVersion: string; logger: Logger; now?: () => Date },
): WarningRecorder {
  const now = o.now ?? (() => new Date());
  const post = async (
    alert: { namespace: string; name: string },
    reason: string,
    type: 'Warning' | 'Normal',
    message: string,
  ) => {
    const at = now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${alert.name}.${randomBytes(8).toString('hex')}`, namespace: alert.namespace },
      involvedObject: {
        apiVersion: `${NOTIFICATION_GROUP}/${o.notificationVersion}`,
        kind: 'Alert',
        name: alert.name,
        namespace: alert.namespace,
      },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: 'notify-guard-relay' },
      reportingComponent: 'notify-guard-relay',
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    };
    try {
      const r = await api.request('POST', `/api/v1/namespaces/${encodeURIComponent(alert.namespace)}/events`, { body });
      if (r.status !== 201 && r.status !== 200)
        o.logger.warn(
          { status: r.status, alert: `${alert.namespace}/${alert.name}`, reason },
          'could not record an event on the Alert',
        );
    } catch (err) {
      o.logger.warn(
        { err: (err as Error).message, alert: `${alert.namespace}/${alert.name}`, reason },
        'could not record an event on the Alert',
      );
    }
  };
  return {
    dispatchFailed: (alert, message) => post(alert, DISPATCH_FAILED_REASON, 'Warning', message),
    delivered: (alert, message) => post(alert, DELIVERED_REASON, 'Normal', message),
  };
}
