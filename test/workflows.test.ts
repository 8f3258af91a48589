// Issue 14 with workflows() mounted between signals() and rules(): a workflow's fallback boundaries (a blocked
// model never called although its route lists it), its transitions (a refusal stopped and escalated once, an
// unsupported input moved on, a 5xx stopped), `auto` taking the workflow's route, and the evidence recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI, { APIError } from 'openai';
import {
  compilePolicy,
  dispatch,
  errorHandler,
  parsePolicy,
  pin,
  type RoutingRecord,
  routing,
  rules,
  signals,
  workflows,
} from 'switchyard';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatCalls, providerKey } from './helpers/gateway.js';

const A = 'alpha-large-2025-01-01';
const B = 'beta-general-2025-01-01'; // the route lists it; support_chat blocks it
const C = 'beta-reviewed-2025-01-01';
const T = 'text-only-2025-01-01'; // the policy says vision; its provider says otherwise

function policyYaml(alpha: string, beta: string, text: string): string {
  const all = 'capabilities: [tools, json_schema, streaming, vision]';
  return `version: 1
providers:
  alpha: { format: openai, base_url: ${alpha}, credentials: [{ env: ALPHA_KEY }] }
  beta: { format: openai, base_url: ${beta}, credentials: [{ env: BETA_KEY }] }
  text: { format: openai, base_url: ${text} }
models:
  ${A}: { provider: alpha, ${all} }
  ${B}: { provider: beta, ${all} }
  ${C}: { provider: beta, ${all} }
  ${T}: { provider: text, ${all} }
routes:
  support: { default: ${A}, fallbacks: [${B}, ${C}] }
  vision: { default: ${T}, fallbacks: [${A}] }
workflows_required: true
workflows:
  support_chat:
    route: support
    fallback: { blocked: [${B}] }
    on: { http_5xx: fallback, refusal: stop_and_escalate }
    risk: "medium: customer-facing; reviewed fallbacks only"
  finance:
    route: support
    fallback: { allowed: [] }
    on: { http_5xx: stop_and_escalate }
    risk: "high: no automatic fallback"
  images:
    on: { unsupported_input: fallback }
  plain: {}
failover:
  cooldown: { failures: 0 }
`;
}

/** A provider that takes no images: 400 with OpenAI's wording for any request holding one. */
function textOnlyProvider(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
      const image = JSON.stringify(body).includes('image_url');
      res.writeHead(image ? 400 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          image
            ? {
                error: {
                  message: 'Image input is not supported for this model.',
                  type: 'invalid_request_error',
                  param: null,
                  code: null,
                },
              }
            : {
                id: 'chatcmpl-text',
                object: 'chat.completion',
                created: 1,
                model: body.model,
                choices: [{ index: 0, message: { role: 'assistant', content: 'text' }, finish_reason: 'stop' }],
                usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
              },
        ),
      );
    });
  });
}

let alpha: MockProvider;
let beta: MockProvider;
let text: Server;
let textCalls = 0;
let gateway: Server;
let client: OpenAI;
const records: { record: RoutingRecord; closed: Promise<void> }[] = [];

beforeAll(async () => {
  alpha = await startMockProvider({ port: 0, apiKeys: [providerKey('alpha')] });
  beta = await startMockProvider({ port: 0, apiKeys: [providerKey('beta')] });
  text = textOnlyProvider();
  text.on('request', () => textCalls++);
  await new Promise<void>((resolve) => text.listen(0, '127.0.0.1', resolve));
  const textUrl = `http://127.0.0.1:${(text.address() as AddressInfo).port}/v1`;
  const yaml = policyYaml(alpha.url, beta.url, textUrl);
  const compiled = compilePolicy(
    parsePolicy(yaml, 'workflows.yaml', { env: { ALPHA_KEY: providerKey('alpha'), BETA_KEY: providerKey('beta') } }),
  );
  const { policy } = compiled;
  // The stack of switchyard(), with workflows() where the lead mounts it.
  const app = express();
  app.post(
    ['/v1/chat/completions'],
    signals({ catalog: compiled.catalog }),
    workflows({ policy, compiled: compiled.rules }),
    rules({ compiled: compiled.rules }),
    pin({ policy }),
    dispatch({ policy }),
  );
  app.use(errorHandler());
  gateway = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  gateway.on('request', (req: IncomingMessage, res: ServerResponse) => {
    records.push({ record: routing(req).record, closed: new Promise((resolve) => res.once('close', () => resolve())) });
  });
  client = new OpenAI({
    baseURL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
  });
});

afterAll(async () => {
  gateway?.closeAllConnections();
  await new Promise((resolve) => gateway?.close(resolve));
  await new Promise((resolve) => text?.close(resolve));
  await Promise.all([alpha?.close(), beta?.close()]);
});

beforeEach(() => {
  alpha.reset();
  beta.reset();
  textCalls = 0;
  records.length = 0;
});

async function lastRecord(): Promise<RoutingRecord> {
  const last = records.at(-1);
  if (!last) throw new Error('no request reached the gateway');
  await last.closed;
  return last.record;
}

const ask = (workflow: string, model = 'auto', extra: Record<string, unknown> = {}) =>
  client.chat.completions
    .create(
      { model, messages: [{ role: 'user', content: 'Hello!' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming,
      { headers: { 'x-switchyard-workflow': workflow, 'x-switchyard-run': 'run-7' } },
    )
    .withResponse();

async function failure(run: () => Promise<unknown>): Promise<APIError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('a workflow and its route', () => {
  it("should take the workflow's route for auto, and record workflow, risk and run", async () => {
    const { data, response } = await ask('support_chat');

    expect(data.model).toBe(A);
    expect(response.headers.get('x-switchyard-route')).toBe('support/default');
    const record = await lastRecord();
    expect(record).toMatchObject({
      requestedModel: 'auto',
      workflow: 'support_chat',
      workflowRisk: 'medium: customer-facing; reviewed fallbacks only',
      runId: 'run-7',
      servedModel: A,
    });
    expect(record.transition).toBeUndefined();
    expect(record.escalate).toBeUndefined();
  });

  it('should refuse a call whose workflow the policy does not define (workflows_required)', async () => {
    const err = await failure(() => ask('suport_chat'));
    expect(err.status).toBe(400);
    expect(err.code).toBe('unknown_workflow');
    expect(err.error).toMatchObject({
      message: 'Unknown workflow "suport_chat" (workflows: support_chat, finance, images, plain).',
    });
    expect(chatCalls(alpha)).toEqual([]);
  });
});

describe('fallback boundaries', () => {
  it('should never call a blocked model, although the route lists it, and move to the next allowed one', async () => {
    alpha.script(A, { status: 503 });

    const { data, response } = await ask('support_chat');

    expect(data.model).toBe(C);
    expect(response.headers.get('x-switchyard-fallback-reason')).toBe('http_503');
    expect(chatCalls(beta).map((c) => c.model)).toEqual([C]);
    const record = await lastRecord();
    expect(record.attempts.map((a) => a.model)).toEqual([A, C]);
    expect(record.events.filter((e) => e.name === 'switchyard.fallback.skipped').map((e) => e.attributes)).toEqual([
      { model: B, provider: 'beta', reason: 'blocked' },
    ]);
    expect(record.transition).toEqual({ outcome: 'http_5xx', action: 'fallback', attempt: 0, from: 'workflow' });
  });

  it('should let the same call fall back to the listed model for a workflow that does not block it', async () => {
    alpha.script(A, { status: 503 });
    const { data } = await ask('plain', 'support');
    expect(data.model).toBe(B);
  });

  it('should stop and escalate a 5xx for a workflow with no automatic fallback, returning it once', async () => {
    alpha.script(A, { status: 503 });

    const err = await failure(() => ask('finance'));

    expect(err.status).toBe(503);
    expect(chatCalls(alpha)).toHaveLength(1);
    expect(chatCalls(beta)).toEqual([]);
    const record = await lastRecord();
    expect(record.escalate).toBe(true);
    expect(record.workflowRisk).toBe('high: no automatic fallback');
    expect(record.transition).toEqual({ outcome: 'http_5xx', action: 'stop_and_escalate', attempt: 0, from: 'workflow' });
  });
});

describe('transitions on what the answer says', () => {
  it('should return a refusal once, unchanged, and mark the record escalate', async () => {
    alpha.script(A, { finishReason: 'content_filter' });

    const { data, response } = await ask('support_chat');

    expect(response.status).toBe(200);
    expect(data.choices[0]?.finish_reason).toBe('content_filter');
    expect(chatCalls(alpha)).toHaveLength(1);
    expect(chatCalls(beta)).toEqual([]);
    const record = await lastRecord();
    expect(record.escalate).toBe(true);
    expect(record.transition).toEqual({ outcome: 'refusal', action: 'stop_and_escalate', attempt: 0, from: 'workflow' });
    expect(record.finishReasons).toEqual(['content_filter']);
  });

  it('should pass a streamed refusal on as it comes: its first byte went out before it could be judged', async () => {
    alpha.script(A, { finishReason: 'content_filter' });

    const stream = await client.chat.completions.create(
      { model: 'auto', stream: true, messages: [{ role: 'user', content: 'Hello!' }] },
      { headers: { 'x-switchyard-workflow': 'support_chat' } },
    );
    const reasons: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) reasons.push(chunk.choices[0].finish_reason);

    expect(reasons).toEqual(['content_filter']);
    const record = await lastRecord();
    expect(record.escalate).toBeUndefined();
    expect(record.finishReasons).toEqual(['content_filter']);
  });

  it('should move an input the model cannot take to the next model (unsupported_input: fallback)', async () => {
    const image = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }];

    const { data, response } = await ask('images', 'vision', { messages: image });

    expect(data.model).toBe(A);
    expect(response.headers.get('x-switchyard-fallback-reason')).toBe('unsupported_input');
    expect(textCalls).toBe(1);
    expect((await lastRecord()).attempts.map((a) => `${a.model} ${a.errorClass ?? a.outcome}`)).toEqual([
      `${T} http_400`,
      `${A} ok`,
    ]);
  });

  it("should pass the provider's own 400 back where no transition is written for it", async () => {
    const image = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }];

    const err = await failure(() => ask('plain', 'vision', { messages: image }));

    expect(err.status).toBe(400);
    expect(err.message).toContain('Image input is not supported for this model.');
    expect(chatCalls(alpha)).toEqual([]);
  });
});
