// A credential value that cannot leak by accident: it prints, logs and serialises as [redacted].
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  /** Why there is no value, for a Secret from `Secret.unset`; `undefined` when there is one. */
  #missing: string | undefined;

  constructor(value: string) {
    this.#value = value;
  }

  /**
   * A secret whose env var `env` was not set when the policy was loaded with `secrets: 'defer'` (e.g. by
   * `switchyard check` in CI). It has no value: `reveal()` throws, so nothing can send an empty key upstream.
   * `usedBy` names where the policy reads it, e.g. `providers.openai.credentials[0]`.
   */
  static unset(env: string, usedBy: string): Secret {
    const secret = new Secret('');
    secret.#missing = `${usedBy}: env var ${env} was not set when the policy was loaded`;
    return secret;
  }

  /** `false` for a Secret from `Secret.unset`, whose value is not known. */
  get isSet(): boolean {
    return this.#missing === undefined;
  }

  /** The secret itself; call only where it goes on the wire. Throws for a Secret from `Secret.unset`. */
  reveal(): string {
    if (this.#missing !== undefined) {
      throw new Error(`${this.#missing} (secrets: 'defer'); load the policy with secrets: 'require' to use it`);
    }
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return this.isSet ? 'Secret([redacted])' : 'Secret([unset])';
  }
}
