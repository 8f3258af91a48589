// A media call or a follow-up on a gateway ID: one attempt at the one provider it belongs to (the model's
// pinned provider for a create, the minting provider for a follow-up, whatever the policy says now), the
// upload streamed through, the answer passed back as it comes, and every ID the provider minted in it
// handed to the client wrapped in a gateway ID.
import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import {
  type GatewayIdKind,
  type GatewayIds,
  type MintedId,
  type ParsedRequest,
  type ProviderConfig,
  SwitchyardError,
  type TaskRecord,
} from '@switchyard/core';
import { requestBody } from '@switchyard/formats';
import { AttemptLog } from './attempt-log.js';
import type { Call, DispatchShared } from './call.js';
import { replayed } from './client-answer.js';
import { deliver } from './deliver.js';
import { gatewayOverloaded } from './errors.js';
import { ATTEMPTS_HEADER } from './failover-headers.js';
import { type AttemptAnswered, forwardAttempt } from './forward-attempt.js';
import { outgoingHeaders } from './outgoing.js';
import { withStreamedGatewayId } from './stream-ids.js';

/** The gateway ID kind an answer on `endpoint` mints, if any. */
const MINTS: Readonly<Record<string, GatewayIdKind>> = { videos: 'video', tasks: 'task', responses: 'resp' };

/** The answer fields that hold an ID the provider minted, by kind. */
const ID_FIELDS: Readonly<Record<GatewayIdKind, readonly string[]>> = {
  video: ['id', 'remixed_from_video_id'],
  task: ['task_id', 'id'],
  resp: ['id'],
};

/** Whether dispatch() sends this call through `runMediaCall`: a media family, or a follow-up on a gateway ID. */
export function isMediaCall(request: ParsedRequest): boolean {
  return request.followUp !== undefined || MEDIA_FAMILIES.has(request.endpoint);
}

const MEDIA_FAMILIES: ReadonlySet<string> = new Set(['images', 'audio', 'videos', 'tasks']);

export async function runMediaCall(shared: DispatchShared & { readonly ids?: GatewayIds }, call: Call): Promise<void> {
  const { req, res, ctx, request } = call;
  const { record } = ctx;
  const followUp = request.followUp;
  const providerName = followUp ? followUp.minted.provider : call.target.provider;
  const provider = shared.policy.providers.get(providerName);
  if (!provider) return call.next(providerGone(providerName));
  const modelId = followUp ? followUp.minted.model : call.target.model;
  if (followUp) {
    // Pinned at creation: the minting provider, even when the policy has moved the model since.
    record.target = { model: modelId, provider: provider.name, format: provider.format };
    record.task = task(followUp.gatewayId, followUp.action, followUp.minted);
  }
  const path = upstreamPath(request, provider, req.url ?? '');
  if (path instanceof SwitchyardError) return call.next(path);
  const model = shared.policy.models.get(modelId);
  const sentModel = model?.upstreamModel ?? modelId;
  const { body, headers } = outgoing(request, sentModel, provider, shared, req.headers);

  const upstream = shared.upstreams.get(provider.name)!;
  const slot = upstream.slots.acquire(shared.timeouts.connectMs);
  const release = slot instanceof Promise ? await slot : slot;
  if (!release) return call.next(gatewayOverloaded(provider));
  if (res.closed) return release();
  const kind = MINTS[request.endpoint];
  const mints = kind !== undefined && shared.ids !== undefined && !request.stream && followUp?.action !== 'content';
  // A transcription's JSON answer is small and says how long the audio was: what it is priced by.
  const measures = !request.stream && /\/audio\/(?:transcriptions|translations)$/.test(request.path);
  const log = new AttemptLog(record);
  const result = await forwardAttempt({
    req,
    res,
    entry: log.begin(provider.name, modelId, provider.credentials.length > 0 ? 0 : -1),
    provider,
    upstream,
    release,
    headerFilter: shared.headerFilters.get(provider.name)!,
    credential: provider.credentials[0],
    body,
    headers,
    path,
    timeouts: shared.timeouts,
    whole: mints || measures,
  });
  res.setHeader(ATTEMPTS_HEADER, record.attempts.length);
  if (result.kind === 'failed') {
    if (result.error) call.next(result.error);
    return;
  }
  let answered: AttemptAnswered = result;
  if (measures && answered.body) {
    const seconds = audioSeconds(answered.body);
    if (seconds !== undefined) record.mediaUsage = { seconds };
  }
  if (kind === 'resp' && request.stream && shared.ids && followUp?.action === 'continue') {
    answered = withStreamedGatewayId(answered, shared.ids, record, {
      provider: provider.name,
      model: modelId,
      route: followUp.minted.route,
    });
  }
  if (mints) {
    const route = followUp ? followUp.minted.route : call.selection.kind === 'route' ? call.selection.route : undefined;
    answered = withGatewayIds(answered, kind, shared.ids!, ctx.record, { provider: provider.name, model: modelId, route });
  }
  await deliver({ res, answered, ctx, request, deadlineAt: undefined, translator: undefined, scrubber: shared.scrubber });
}

/**
 * A 2xx answer read whole with the IDs its provider minted wrapped in gateway IDs, and `record.task` naming the
 * first; the answer as it was when it holds none. Also used by runCall for a Responses answer.
 */
export function withGatewayIds(
  answered: AttemptAnswered,
  kind: GatewayIdKind,
  ids: GatewayIds,
  record: import('@switchyard/core').RoutingRecord,
  minter: { readonly provider: string; readonly model: string; readonly route?: string },
): AttemptAnswered {
  const status = answered.response.statusCode ?? 0;
  if (!answered.body || status < 200 || status > 299) return answered;
  const minted = wrapIds(answered.body, kind, ids, { ...minter, owner: record.owner });
  if (!minted) return answered;
  record.task ??= { ...task(minted.id, 'create', minter), ...(minted.seconds ? { seconds: minted.seconds } : {}) };
  return replayed(answered, status, withLength(answered, minted.body), minted.body);
}

function task(id: string, action: TaskRecord['action'], minted: Pick<MintedId, 'provider' | 'model' | 'route'>): TaskRecord {
  return { id, action, provider: minted.provider, model: minted.model, ...(minted.route ? { route: minted.route } : {}) };
}

/** The path below the provider's base URL, the provider's own ID in place of the gateway's, the client's query kept. */
function upstreamPath(request: ParsedRequest, provider: ProviderConfig, url: string): string | SwitchyardError {
  const q = url.indexOf('?');
  const query = q >= 0 ? url.slice(q) : '';
  const followUp = request.followUp;
  const own = followUp && encodeURIComponent(followUp.minted.id);
  if (request.endpoint === 'tasks') {
    if (!provider.tasks) return noTaskApi(provider);
    return (own ? provider.tasks.get.replace('{id}', own) : provider.tasks.create) + query;
  }
  if (provider.format !== 'openai') {
    return new SwitchyardError({
      status: 501,
      type: 'invalid_request_error',
      code: 'format_not_supported',
      message: `The ${request.endpoint} endpoint is served by OpenAI-format providers (or, for tasks, a provider's own task API); provider "${provider.name}" speaks ${provider.format}.`,
    });
  }
  if (!followUp || followUp.action === 'continue') return request.path + query;
  const base = `/${request.endpoint}/${own}`;
  if (followUp.action === 'content') return `${base}/content${query}`;
  if (followUp.action === 'remix') return `${base}/remix${query}`;
  return base + query;
}

/** The body (bytes, or the upload streaming through) and the headers that go with it. */
function outgoing(
  request: ParsedRequest,
  model: string,
  provider: ProviderConfig,
  shared: DispatchShared,
  client: import('node:http').IncomingHttpHeaders,
): { body: Buffer | Readable; headers: OutgoingHttpHeaders } {
  const filter = shared.headerFilters.get(provider.name)!;
  const credential = provider.credentials[0];
  if (request.upload) {
    const { body, length } = request.upload.take(model);
    const headers = outgoingHeaders(client, length ?? 0, credential, provider.format, filter);
    headers['content-type'] = client['content-type'];
    if (length === undefined) delete headers['content-length'];
    return { body, headers };
  }
  const followUp = request.followUp;
  const body = followUp && followUp.action !== 'continue' ? request.raw : requestBody(request, model);
  const headers = outgoingHeaders(client, body.length, credential, provider.format, filter);
  if (body.length === 0 && followUp?.action !== 'remix') {
    delete headers['content-type'];
    delete headers['content-length'];
  }
  return { body, headers };
}

/** The answer with every provider-minted ID it holds at the top level wrapped; `undefined` when it holds none (or is not JSON). */
function wrapIds(
  body: Buffer,
  kind: GatewayIdKind,
  ids: GatewayIds,
  minter: { provider: string; model: string; owner: string; route?: string },
): { body: Buffer; id: string; seconds?: number } | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return undefined;
  const fields = answer as Record<string, unknown>;
  let first: string | undefined;
  for (const field of ID_FIELDS[kind]) {
    const value = fields[field];
    if (typeof value !== 'string' || value === '') continue;
    const wrapped = ids.wrap({ kind, id: value, ...minter });
    fields[field] = wrapped;
    first ??= wrapped;
  }
  if (first === undefined) return undefined;
  const seconds = Number(fields.seconds);
  return { body: Buffer.from(JSON.stringify(fields)), id: first, ...(seconds > 0 ? { seconds } : {}) };
}

function withLength(answered: AttemptAnswered, body: Buffer): import('node:http').IncomingHttpHeaders {
  const headers = { ...answered.response.headers, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  return headers;
}

function providerGone(provider: string): SwitchyardError {
  return new SwitchyardError({
    status: 404,
    type: 'invalid_request_error',
    code: 'not_found',
    message: `The provider that created this ID ("${provider}") is no longer in the gateway's policy; the task cannot be reached.`,
  });
}

function noTaskApi(provider: ProviderConfig): SwitchyardError {
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'no_task_api',
    message: `Provider "${provider.name}" declares no task API (tasks: { create, get } in its policy entry).`,
  });
}

/** `usage.seconds` (OpenAI's duration usage) or `duration` (verbose_json) of a transcription answer. */
function audioSeconds(body: Buffer): number | undefined {
  try {
    const answer = JSON.parse(body.toString('utf8')) as { usage?: { seconds?: unknown }; duration?: unknown };
    const seconds = Number(answer.usage?.seconds ?? answer.duration);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}
