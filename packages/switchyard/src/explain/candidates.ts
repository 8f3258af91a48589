// Whether a provider's wire format can carry the request, decided by dispatch()'s own Candidates: the
// request translated with that format's wire, without sending it.
import type { ModelConfig, ParsedRequest, ProviderConfig, SwitchyardError } from '@switchyard/core';
import { Candidates } from '@switchyard/dispatch';

/** Why `model` on `provider` cannot take the request: a 400 (no wire for the endpoint, or a field its format cannot express). */
export function formatRefusal(request: ParsedRequest, provider: ProviderConfig, model: ModelConfig): SwitchyardError | undefined {
  const candidate = new Candidates(request).for(model, provider);
  return 'refused' in candidate ? candidate.refused : undefined;
}

/** Failover's `callable` for one request: a fallback whose format cannot carry it is skipped. */
export function candidateCheck(request: ParsedRequest): (provider: ProviderConfig, model: ModelConfig) => boolean {
  const candidates = new Candidates(request);
  return (provider, model) => candidates.callable(provider, model);
}
