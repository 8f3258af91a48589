#!/usr/bin/env node
// Sends a mix of calls to the examples/jaeger gateway, one trace each: every rule of `smart`, a stream, a
// pinned model, a fallback, a budget stop and an unknown model. Prints what each got; exits 1 when one
// got another status than expected.
//   node examples/jaeger/send-requests.js [BASE_URL]      (default http://127.0.0.1:8080/v1)
import { KEYS } from './keys.js';

const base = (process.argv[2] ?? process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080/v1').replace(/\/$/, '');
const search = process.env.JAEGER_KEY_SEARCH ?? KEYS.JAEGER_KEY_SEARCH;
const intern = process.env.JAEGER_KEY_INTERN ?? KEYS.JAEGER_KEY_INTERN;
const hello = [{ role: 'user', content: 'Hello!' }];
const schema = {
  type: 'json_schema',
  json_schema: { name: 'ticket', schema: { type: 'object', properties: { title: { type: 'string' } } } },
};

const CALLS = [
  { what: 'smart, no rule matches: default', body: { model: 'smart', messages: hello }, workflow: 'support-triage', expect: 200 },
  {
    what: 'smart, a 3000-token prompt: long-context',
    body: { model: 'smart', messages: [{ role: 'user', content: 'word '.repeat(3000) }] },
    workflow: 'contract-review',
    expect: 200,
  },
  { what: 'smart, JSON schema asked: schema', body: { model: 'smart', messages: hello, response_format: schema }, expect: 200 },
  {
    what: 'smart, metadata.priority high: high-priority',
    body: { model: 'smart', messages: hello, metadata: { priority: 'high' } },
    expect: 200,
  },
  { what: 'smart, streamed', body: { model: 'smart', messages: hello, stream: true }, expect: 200 },
  { what: 'exact model ID, pinned', body: { model: 'gpt-4o-2024-08-06', messages: hello }, expect: 200 },
  {
    what: 'cheap: mixtral fails 503, retried, falls back to llama',
    body: { model: 'cheap', messages: hello },
    workflow: 'support-triage',
    expect: 200,
  },
  { what: "intern's key: budget stop", key: intern, body: { model: 'smart', messages: hello }, expect: 429 },
  { what: 'family shortcut "gpt": unknown model', body: { model: 'gpt', messages: hello }, expect: 404 },
];

let failed = 0;
console.log('status  route                served model                what');
for (const call of CALLS) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${call.key ?? search}` };
  if (call.workflow) headers['x-switchyard-workflow'] = call.workflow;
  let status;
  let route = '-';
  let served = '-';
  try {
    const res = await fetch(`${base}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(call.body) });
    await res.arrayBuffer(); // the whole answer, streams included
    status = res.status;
    route = res.headers.get('x-switchyard-route') ?? '-';
    served = res.headers.get('x-switchyard-served-model') ?? '-';
  } catch (err) {
    status = `failed: ${err.cause?.code ?? err.message}`;
  }
  if (status !== call.expect) failed++;
  const mark = status === call.expect ? '' : `   <- expected ${call.expect}`;
  console.log(`${String(status).padEnd(7)} ${route.padEnd(20)} ${served.padEnd(27)} ${call.what}${mark}`);
}

console.log(
  `\n${CALLS.length - failed} of ${CALLS.length} calls as expected. In Jaeger (http://localhost:16686): service "switchyard".`,
);
process.exitCode = failed === 0 ? 0 : 1;
