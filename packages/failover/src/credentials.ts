// A model's provider credentials, tried in order; one that the provider refused (401) is not tried again.
import type { ProviderConfig, ProviderCredential } from '@switchyard/core';

export class CredentialCursor {
  /** The provider's credentials, or one `undefined` for a provider that has none. */
  readonly #all: ReadonlyArray<ProviderCredential | undefined>;
  readonly #refused = new Set<number>();
  #at = 0;

  constructor(provider: ProviderConfig) {
    this.#all = provider.credentials.length > 0 ? provider.credentials : [undefined];
  }

  get current(): ProviderCredential | undefined {
    return this.#all[this.#at];
  }

  /** Never again for this request. */
  refuse(): void {
    this.#refused.add(this.#at);
  }

  /** Moves to the next usable credential after the current one; `false` when there is none. */
  advance(): boolean {
    for (let i = this.#at + 1; i < this.#all.length; i++) {
      if (!this.#refused.has(i)) {
        this.#at = i;
        return true;
      }
    }
    return false;
  }

  /** Back to the first usable credential, for the next round; `false` when every one was refused. */
  restart(): boolean {
    const at = this.#at;
    this.#at = -1;
    if (this.advance()) return true;
    this.#at = at;
    return false;
  }
}
