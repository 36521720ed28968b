/**
 * `username` and `password` in a Provider's secretRef Secret go as a pair: with one of them alone,
 * fluxcd/pkg's `AuthMethodsFromSecret` (runtime/secrets) fails with a malformed basic-auth error,
 * and notification-controller's `extractAuthFromSecret` then drops every credential it would have
 * read from the Secret (username, password and token) but still creates the notifier and sends.
 */

/** The problem of a Secret's key names, or undefined when username and password go together. */
export function credentialPairProblem(
  keys: readonly string[],
): { readonly key: string; readonly detail: string } | undefined {
  const has = new Set(keys);
  if (has.has('username') === has.has('password')) return undefined;
  const [present, missing] = has.has('username') ? ['username', 'password'] : ['password', 'username'];
  return {
    key: missing,
    detail: `key "${present}" without "${missing}": Flux then drops its username, password and token and sends without them; add "${missing}" or remove "${present}"`,
  };
}
