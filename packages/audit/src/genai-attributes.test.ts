// The GenAI span attributes beside the switchyard.* ones: stream, response id, cache-creation and
// reasoning tokens, workflow name:
// set here as dispatch() will set them.
import { SpanKind, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Usage } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as A from './attributes.js';
import {
  answeredAttempt,
  chatCompletion,
  memoryTelemetry,
  parseLikeSignals,
  post,
  relay,
  startAuditApp,
  testPolicy,
  type AuditApp,
} from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const telemetry = memoryTelemetry();
let app: AuditApp;
let stack: RequestHandler;

beforeAll(async () => {
  app = await startAuditApp({ policy: testPolicy(), tracerProvider: telemetry.tracerProvider, metrics: false }, [
    (req, res, next) => void stack(req, res, next),
  ]);
});
afterEach(() => telemetry.spans.reset());
afterAll(async () => {
  await app.close();
  await telemetry.shutdown();
});

/** A call served by MINI whose record holds `extra` (fields core does not declare yet) and `usage`. */
function answer(extra: Record<string, unknown>, usage: Usage): RequestHandler {
  return (req, res) => {
    const record = parseLikeSignals(req);
    record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
    answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
    Object.assign(record, extra);
    record.usage = usage;
    relay(res, 200, 'application/json', [chatCompletion(MINI)]);
  };
}

async function spans(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  await post(`${app.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], ...body }, headers);
  const all = await telemetry.finished(2);
  const server = all.find((s) => s.kind === SpanKind.SERVER)!;
  const attempt = all.find((s) => s.kind === SpanKind.CLIENT)!;
  return { server, attempt };
}

function only(span: ReadableSpan, names: readonly string[]): Record<string, AttributeValue | undefined> {
  return Object.fromEntries(names.map((name) => [name, span.attributes[name]]));
}

const NEW = [
  A.ATTR_GEN_AI_REQUEST_STREAM,
  A.ATTR_GEN_AI_RESPONSE_ID,
  A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_WORKFLOW_NAME,
];

describe('GenAI span attributes', () => {
  it('should write stream, response id, cache-creation and reasoning tokens, and the workflow name', async () => {
    const usage: Usage = {
      inputTokens: 900,
      outputTokens: 120,
      cachedInputTokens: 512,
      cacheCreationInputTokens: 256,
      reasoningOutputTokens: 64,
    };
    stack = answer({ responseId: 'chatcmpl-Bx7' }, usage);
    const { server, attempt } = await spans({ stream: false }, { 'x-switchyard-workflow': 'support-triage' });

    expect(only(server, NEW)).toEqual({
      [A.ATTR_GEN_AI_REQUEST_STREAM]: false,
      [A.ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-Bx7',
      [A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 256,
      [A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 64,
      [A.ATTR_GEN_AI_WORKFLOW_NAME]: 'support-triage',
    });
    expect(server.attributes[A.ATTR_WORKFLOW]).toBe('support-triage');
    expect(server.attributes[A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBe(512);
    // The attempt that served says what its answer said; the workflow belongs to the call.
    expect(only(attempt, NEW)).toEqual({
      [A.ATTR_GEN_AI_REQUEST_STREAM]: false,
      [A.ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-Bx7',
      [A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 256,
      [A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 64,
      [A.ATTR_GEN_AI_WORKFLOW_NAME]: undefined,
    });
    // Written by name, so not a second time by the generic `switchyard.<field>` writer.
    expect(Object.keys(server.attributes).filter((k) => k.includes('response_id'))).toEqual([]);
  });

  it('should say a streamed request is one', async () => {
    stack = answer({}, { inputTokens: 1, outputTokens: 1 });
    const { server, attempt } = await spans({ stream: true });
    expect(server.attributes[A.ATTR_GEN_AI_REQUEST_STREAM]).toBe(true);
    expect(attempt.attributes[A.ATTR_GEN_AI_REQUEST_STREAM]).toBe(true);
  });

  it('should leave out what the record does not hold, and values that are not what they claim to be', async () => {
    stack = answer({ responseId: 42 }, {
      inputTokens: 10,
      outputTokens: 5,
      cacheCreationInputTokens: -3,
      reasoningOutputTokens: 2.5,
    } as Usage);
    const { server, attempt } = await spans({});
    for (const span of [server, attempt]) {
      expect(only(span, NEW.slice(1))).toEqual({
        [A.ATTR_GEN_AI_RESPONSE_ID]: undefined,
        [A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: undefined,
        [A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: undefined,
        [A.ATTR_GEN_AI_WORKFLOW_NAME]: undefined,
      });
    }
    expect(server.attributes[A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(10);
  });

  it('should use the semantic-conventions names', () => {
    expect(NEW).toEqual([
      'gen_ai.request.stream',
      'gen_ai.response.id',
      'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.usage.reasoning.output_tokens',
      'gen_ai.workflow.name',
    ]);
  });
});
