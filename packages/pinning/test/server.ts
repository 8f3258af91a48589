// Test helpers: a small policy, an app on an ephemeral port, stand-ins for signals() and rules().
import type { AddressInfo } from 'node:net';
import { parsePolicy, routing, type Policy, type Selection } from '@switchyard/core';
import express, { type Express, type RequestHandler } from 'express';
import { afterEach } from 'vitest';

export const ENV = { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a', GROQ_API_KEY: 'sk-g' };

export const POLICY_YAML = `
version: 1
providers:
  openai: { format: openai, base_url: https://api.openai.com/v1, credentials: [{ env: OPENAI_API_KEY }] }
  anthropic: { format: anthropic, base_url: https://api.anthropic.com, credentials: [{ env: ANTHROPIC_API_KEY }] }
  groq: { format: openai, base_url: https://api.groq.com/openai/v1, credentials: [{ env: GROQ_API_KEY }] }
models:
  gpt-4o-2024-08-06: { provider: openai }
  claude-sonnet-4-5-20250929: { provider: anthropic }
  llama-3.3-70b-versatile: { provider: groq }
routes:
  smart:
    default: claude-sonnet-4-5-20250929
    rules: [{ name: schema, if: has_schema, use: gpt-4o-2024-08-06 }]
  cheap: { default: llama-3.3-70b-versatile }
`;

/** Everything POLICY_YAML serves, in the order messages list it. */
export const ALL_NAMES = 'smart, cheap, gpt-4o-2024-08-06, claude-sonnet-4-5-20250929, llama-3.3-70b-versatile';

export function testPolicy(yaml: string = POLICY_YAML): Policy {
  return parsePolicy(yaml, 'policy.yaml', { env: ENV });
}

/** Stands in for signals(): `requestedModel` from the JSON body's `model`, when it is a string. */
export const fakeSignals: RequestHandler[] = [
  express.json(),
  function fakeSignals(req, _res, next) {
    const model = (req.body as { model?: unknown } | undefined)?.model;
    if (typeof model === 'string') routing(req).record.requestedModel = model;
    next();
  },
];

/** Stands in for rules(): sets the given selection on every request. */
export function fakeRules(selection: Selection): RequestHandler {
  return function fakeRules(req, _res, next) {
    routing(req).record.selection = selection;
    next();
  };
}

/** Terminal handler: answers with what pin() wrote. */
export const echoRecord: RequestHandler = function echoRecord(req, res) {
  const { selection, target } = routing(req).record;
  res.json({ selection, target });
};

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/** Starts `app` on 127.0.0.1 and an ephemeral port; closed after the test. Returns the base URL. */
export async function serve(app: Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  open.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** POSTs `{ model }` (or `body`) as JSON to `${base}${path}`. */
export function postModel(base: string, model: string | undefined, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(model === undefined ? { messages: [] } : { model, messages: [] }),
  });
}
