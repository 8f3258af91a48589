// Which client key an explained request is sent with. Tests and explain run where the keys' secrets are not
// (CI): a key can be named by its `name` or by the env var its secret is read from, and the real keys()
// middleware then checks a stand-in secret for it.
import { createHash, randomBytes } from 'node:crypto';
import { Secret, type ClientKey, type Policy } from '@switchyard/core';
import { digestBytes, match } from '@switchyard/keys';

/** The policy's keys with stand-in secrets, and the secret to present for the key a request is sent with. */
export interface KeyView {
  /** The policy, each of its keys' secrets replaced by a stand-in known only to this view. */
  readonly policy: Policy;
  /** The secret to present: the stand-in of the key named, a random one for a secret the policy does not know. */
  presented(key: string): string;
  /** The policy key `key` names or holds, if any. */
  find(key: string): ClientKey | undefined;
}

/** A view of `policy`'s keys for requests that name their key (see `KeyView`). */
export function keyView(policy: Policy): KeyView {
  const keys = policy.keys ?? [];
  const nonce = randomBytes(16).toString('hex');
  const standIns = keys.map((_, i) => `switchyard-explain-${nonce}-${i}`);
  const view: Policy = {
    ...policy,
    keys: policy.keys?.map((key, i) => ({ ...key, digest: new Secret(sha256(standIns[i]!)) })),
  };
  // The policy's source is not enumerable: spread leaves it behind.
  Object.defineProperty(view, 'source', { value: policy.source, enumerable: false });
  const envOf = keyEnvVars(policy);
  const indexOf = (key: string): number => {
    const byName = keys.findIndex((k, i) => k.name === key || envOf.get(i) === key);
    if (byName >= 0) return byName;
    // The secret itself, when its digest is known here (an env var that is set, or a sha256 in the policy).
    const known = keys.flatMap((k, i) => (k.digest.isSet ? [{ digest: digestBytes(k.digest), i }] : []));
    return match(known, key)?.i ?? -1;
  };
  return {
    policy: view,
    presented: (key) => standIns[indexOf(key)] ?? `switchyard-explain-unknown-${nonce}`,
    find: (key) => keys[indexOf(key)],
  };
}

/** Key index → the env var its secret is read from (`keys[2].secret` in `requiredEnv`). */
function keyEnvVars(policy: Policy): ReadonlyMap<number, string> {
  const found = new Map<number, string>();
  for (const v of policy.requiredEnv) {
    for (const use of v.usedBy) {
      const m = /^keys\[(\d+)\]\.secret$/.exec(use);
      if (m) found.set(Number(m[1]), v.name);
    }
  }
  return found;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
