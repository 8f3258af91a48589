// examples/smart-routing: seed 004's policy with a mock of each provider it names (Anthropic, Gemini,
// OpenAI, Groq, Together) and the gateway on PORT (default 8080). `node examples/smart-routing/start.js`;
// SMART_ROUTING_SPENT_USD=85 starts the month at $85 of its $100, so that the burn-rate rule shows.
import { fileURLToPath } from 'node:url';
import { serve } from '@switchyard/cli';
import { startMockProvider } from '@switchyard/mock-provider';
import { loadPolicy, PolicyError } from 'switchyard';

const policyFile = fileURLToPath(new URL('./policy.yaml', import.meta.url));
const env = process.env;
// The mocks accept only these provider keys; the gateway sends them, clients never see them.
const keys = {
  SMART_ANTHROPIC_KEY: 'sk-ant-demo',
  SMART_GEMINI_KEY: 'gemini-demo',
  SMART_OPENAI_KEY: 'sk-openai-demo',
  SMART_GROQ_KEY: 'gsk-groq-demo',
  SMART_TOGETHER_KEY: 'together-demo',
};
for (const [name, value] of Object.entries(keys)) env[name] ??= value;

// One mock per provider, on the ports the policy names; each speaks every format, the policy picks which.
const mocks = await Promise.all(
  ['SMART_ANTHROPIC_KEY', 'SMART_GEMINI_KEY', 'SMART_OPENAI_KEY', 'SMART_GROQ_KEY', 'SMART_TOGETHER_KEY'].map((key, i) =>
    startMockProvider({ port: 4501 + i, apiKeys: [env[key]] }),
  ),
);

let compiled;
let gateway;
try {
  compiled = await loadPolicy(policyFile);
  const spent = Number(env.SMART_ROUTING_SPENT_USD ?? 0);
  if (spent > 0) await compiled.budget.settle({ key: compiled.budget.key('default'), id: 'start-of-month', costUsd: spent });
  gateway = await serve(compiled, { port: Number(env.PORT ?? 8080), host: env.HOST });
} catch (err) {
  console.error(err instanceof PolicyError ? `policy rejected:\n${err.message}` : err);
  await Promise.all(mocks.map((m) => m.close()));
  process.exit(1);
}

const curl = (body) =>
  `curl -s ${gateway.url}/chat/completions -H 'content-type: application/json' -D - -o /dev/null -d '${JSON.stringify(body)}'`;
const hello = [{ role: 'user', content: 'Hello!' }];
console.log(`switchyard gateway on ${gateway.url} (policy: examples/smart-routing/policy.yaml)

Every call asks for model "smart"; watch x-switchyard-route and x-switchyard-served-model.
The first rule that matches wins, so from 22:00 to 06:00 UTC the off-hours rule takes what would be the default:
  default (Anthropic):    ${curl({ model: 'smart', messages: hello })}
  schema (OpenAI):        ${curl({ model: 'smart', messages: hello, response_format: { type: 'json_schema', json_schema: { name: 'reply', schema: { type: 'object', properties: { text: { type: 'string' } } } } } })}
  long-context (Gemini):  python3 -c 'import json; print(json.dumps({"model":"smart","messages":[{"role":"user","content":"lorem ipsum " * 60000}]}))' | curl -s ${gateway.url}/chat/completions -H 'content-type: application/json' -D - -o /dev/null -d @-
  burn-rate (Groq):       restart with SMART_ROUTING_SPENT_USD=85, then the default call above
  off-hours (Together):   the default call above, at night (UTC)
Anthropic clients: baseURL ${gateway.url.replace(/\/v1$/, '')}, POST /v1/messages, the same routes.
`);

const stop = async () => {
  await gateway.close(2000);
  await compiled.budget.shutdown();
  await Promise.all(mocks.map((m) => m.close()));
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
