// What each candidate model of one call is sent: the request translated into its provider's format once,
// whether failover only asks if it can take the request or dispatch() sends it.
import type { ModelConfig, ParsedRequest, ProviderConfig, ProviderFormat } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { type Outgoing, type Wire, wiresFor } from '@switchyard/formats';
import { formatNotSupported } from './errors.js';

/** The request as one candidate gets it, or why it cannot (a 400 its format cannot express). */
export type CandidateRequest = { readonly wire: Wire; readonly outgoing: Outgoing } | { readonly refused: SwitchyardError };

export class Candidates {
  readonly #request: ParsedRequest;
  readonly #wires: ReadonlyMap<ProviderFormat, Wire>;
  readonly #byModel = new Map<string, CandidateRequest>();

  constructor(request: ParsedRequest) {
    this.#request = request;
    this.#wires = wiresFor(request.endpoint, request.format);
  }

  /** Whether the gateway speaks the endpoint to providers of this format at all. */
  reaches(format: ProviderFormat): boolean {
    return this.#wires.has(format);
  }

  /** Whether `model` on `provider` can take the request: failover's `callable`. */
  callable(provider: ProviderConfig, model: ModelConfig): boolean {
    return !('refused' in this.for(model, provider));
  }

  /** The request for `model`, translated on first use and kept. */
  for(model: ModelConfig, provider: ProviderConfig): CandidateRequest {
    let found = this.#byModel.get(model.id);
    if (!found) {
      found = this.#make(model, provider);
      this.#byModel.set(model.id, found);
    }
    return found;
  }

  #make(model: ModelConfig, provider: ProviderConfig): CandidateRequest {
    const wire = this.#wires.get(provider.format);
    if (!wire) return { refused: formatNotSupported(provider, this.#request.endpoint) };
    try {
      return { wire, outgoing: wire.outgoing(this.#request, model, provider) };
    } catch (err) {
      if (err instanceof SwitchyardError) return { refused: err };
      throw err;
    }
  }
}
