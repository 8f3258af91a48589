// Whether a provider's wire format can carry the request, decided as dispatch() decides it: by translating
// the request with @switchyard/formats' wire for that format, without sending it.
import { SwitchyardError, type ModelConfig, type ParsedRequest, type ProviderConfig } from '@switchyard/core';
import { formatNotSupported } from '@switchyard/dispatch';
import { wiresFor } from '@switchyard/formats';

/** Why `model` on `provider` cannot take the request: 501 (no wire for the endpoint) or 400 (a field its format cannot express). */
export function formatRefusal(request: ParsedRequest, provider: ProviderConfig, model: ModelConfig): SwitchyardError | undefined {
  const wire = wiresFor(request.endpoint).get(provider.format);
  if (!wire) return formatNotSupported(provider, request.endpoint);
  try {
    wire.outgoing(request, model, provider);
    return undefined;
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
}

/** Failover's `callable` for one request: a fallback whose format cannot carry it is skipped. */
export function candidateCheck(request: ParsedRequest): (provider: ProviderConfig, model: ModelConfig) => boolean {
  const checked = new Map<string, boolean>();
  return (provider, model) => {
    let ok = checked.get(model.id);
    if (ok === undefined) checked.set(model.id, (ok = formatRefusal(request, provider, model) === undefined));
    return ok;
  };
}
