/**
 * metav1.Status, the body every Kubernetes API answer carries when it is not an object: the
 * webhook's AdmissionReview responses, and both servers' JSON errors (400, 413, 415, 500, 503).
 * Field names as in k8s.io/apimachinery/pkg/apis/meta/v1 (types.go: Status, StatusCause).
 */

/** metav1.Status. */
export interface Status {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
  };
  code: number;
}

/** metav1.StatusCause. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** A Failure Status with a code and message (400, 500, ...). */
export function failureStatus(code: number, reason: string, message: string): Status {
  return { metadata: {}, status: 'Failure', message, reason, code };
}
