// Cross-reference checks on a schema-valid policy, and the conversion into the loaded Policy.
import { buildBudgets } from './budget-schema.js';
import { buildFailover } from './failover-build.js';
import { PolicyEnv } from './env-vars.js';
import { isNeverForwarded } from './headers.js';
import type { PolicyProblem } from './policy-error.js';
import type { PolicyDocument } from './schema.js';
import type { PolicyPath, PolicySource } from './source.js';
import { buildTransitions, buildWorkflows, checkKeyWorkflows } from './workflows-build.js';
import type { DeclaredSignal, ModelConfig, Policy, ProviderConfig, RouteConfig, SecretsMode, SignalSource } from './types.js';

export function buildPolicy(
  doc: PolicyDocument,
  source: PolicySource,
  env: Readonly<Record<string, string | undefined>>,
  secrets: SecretsMode = 'require',
): { policy: Policy; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const problem = (path: PolicyPath, message: string, key?: string) =>
    problems.push({ file: source.file, ...source.locate(path, { key }), message });
  const policyEnv = new PolicyEnv(env, secrets, problem);

  const providers = new Map<string, ProviderConfig>();
  for (const [name, p] of Object.entries(doc.providers)) {
    const credentials = p.credentials.map((c, index) => {
      const secret = policyEnv.secret(['providers', name, 'credentials', index, 'env'], c.env, 'credential');
      return { index, env: c.env, secret };
    });
    for (const [i, header] of p.forward_headers.entries()) {
      if (isNeverForwarded(header))
        problem(
          ['providers', name, 'forward_headers', i],
          `header "${header}" carries a credential or says who is billed: it is never forwarded`,
        );
    }
    const baseUrl = p.base_url.replace(/\/+$/, '');
    providers.set(name, {
      name,
      format: p.format,
      baseUrl,
      credentials,
      forwardHeaders: p.forward_headers,
      maxConnections: p.max_connections,
      tasks: p.tasks,
    });
  }

  const models = new Map<string, ModelConfig>();
  for (const [id, m] of Object.entries(doc.models)) {
    if (!providers.has(m.provider)) {
      problem(
        ['models', id, 'provider'],
        `model "${id}" is pinned to unknown provider "${m.provider}" (providers: ${list(providers.keys())})`,
      );
    }
    const price = m.price && {
      input: m.price.input,
      output: m.price.output,
      cachedInput: m.price.cached_input,
      cacheWrite: m.price.cache_write,
      image: m.price.image,
      videoSecond: m.price.video_second,
      speechCharacters: m.price.speech_characters,
      transcriptionMinute: m.price.transcription_minute,
    };
    if (m.endpoints?.includes('tasks') && !doc.providers[m.provider]?.tasks) {
      problem(
        ['models', id, 'endpoints'],
        `model "${id}" serves tasks, but its provider "${m.provider}" declares no task API (tasks: { create: /…, get: /…/{id} })`,
      );
    }
    models.set(id, {
      id,
      provider: m.provider,
      contextWindow: m.context_window,
      maxOutputTokens: m.max_output_tokens,
      capabilities: new Set(m.capabilities),
      price,
      upstreamModel: m.upstream_model,
      endpoints: m.endpoints && new Set(m.endpoints),
    });
  }
  const ids = buildIds(doc, policyEnv, problem);

  const knownModel = (path: PolicyPath, what: string, model: string) => {
    if (!models.has(model)) problem(path, `${what} uses model "${model}" that is not in models (models: ${list(models.keys())})`);
  };
  const routes = new Map<string, RouteConfig>();
  for (const [name, r] of Object.entries(doc.routes)) {
    if (models.has(name))
      problem(['routes'], `route "${name}" has the same name as a model; clients could not tell them apart`, name);
    knownModel(['routes', name, 'default'], `route "${name}" default`, r.default);
    const seen = new Set<string>();
    r.rules.forEach((rule, i) => {
      if (seen.has(rule.name))
        problem(['routes', name, 'rules', i, 'name'], `route "${name}" has two rules named "${rule.name}"`);
      if (rule.name === 'default') problem(['routes', name, 'rules', i, 'name'], `"default" is reserved for the route's default`);
      seen.add(rule.name);
      knownModel(['routes', name, 'rules', i, 'use'], `rule "${rule.name}"`, rule.use);
    });
    for (const [i, model] of r.fallbacks.entries())
      knownModel(['routes', name, 'fallbacks', i], `route "${name}" fallback`, model);
    const on = buildTransitions(r.on, ['routes', name, 'on'], problem);
    routes.set(name, { name, default: r.default, rules: r.rules, fallbacks: r.fallbacks, on });
  }

  const signals = new Map<string, DeclaredSignal>();
  for (const [name, s] of Object.entries(doc.signals)) {
    const type = s.type as DeclaredSignal['type'];
    if (s.default !== undefined && !ofType(s.default, type)) {
      problem(['signals', name, 'default'], `signal "${name}": default ${JSON.stringify(s.default)} is not of its type, ${type}`);
    }
    const from = signalSource(s.from);
    signals.set(name, { name, type, from, default: s.default, record: s.record ?? recordedAs(from) });
  }

  const failover = buildFailover(doc.failover, routes, problem);
  const { budgets, keys } = buildBudgets(doc, policyEnv, models, routes, problem);
  const workflows = buildWorkflows(doc, models, routes, problem);
  checkKeyWorkflows(doc.keys, workflows, problem);
  const policy: Policy = {
    version: 1,
    timezone: doc.timezone,
    providers,
    models,
    signals,
    routes,
    failover,
    budgets,
    keys,
    workflows,
    workflowsRequired: doc.workflows_required,
    ids,
    requiredEnv: policyEnv.required(),
    source,
  };
  // The parse tree is for error locations; keep it out of logs and JSON of the policy.
  Object.defineProperty(policy, 'source', { enumerable: false });
  return { policy, problems };
}

/** The ID key: required (with at least 32 characters) once a model serves an endpoint whose IDs come home. */
function buildIds(
  doc: PolicyDocument,
  policyEnv: PolicyEnv,
  problem: (path: PolicyPath, message: string, key?: string) => void,
): Policy['ids'] {
  const minting = Object.entries(doc.models).find(([, m]) => m.endpoints?.some((e) => e === 'videos' || e === 'tasks'));
  if (!doc.ids) {
    if (minting) {
      problem(
        ['models', minting[0], 'endpoints'],
        `model "${minting[0]}" serves ${minting[1].endpoints!.includes('videos') ? 'videos' : 'tasks'}, whose IDs the gateway hands out signed: add ids: { secret: { env: SWITCHYARD_ID_SECRET } } with a random value of 32 or more characters in that variable`,
      );
    }
    return undefined;
  }
  const path: PolicyPath = ['ids', 'secret', 'env'];
  const secret = policyEnv.secret(path, doc.ids.secret.env, 'ID signing key');
  if (secret.isSet && secret.reveal().length < 32) {
    problem(path, `the ID signing key in ${doc.ids.secret.env} has fewer than 32 characters; use a random value of 32 or more`);
  }
  return { secret };
}

function signalSource(from: string): SignalSource {
  return from.startsWith('header:')
    ? { kind: 'header', header: from.slice('header:'.length).trim().toLowerCase() }
    : { kind: 'jsonpath', path: from };
}

/** Whether a `default:` value has the signal's type (an `int` a whole number, a `double` any finite number). */
function ofType(value: boolean | number | string, type: DeclaredSignal['type']): boolean {
  switch (type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isSafeInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

function list(names: Iterable<string>): string {
  return [...names].join(', ') || 'none';
}

/** The prompt's fields, in every wire format: a signal read from them is prompt text. */
const PROMPT_FIELD = /^\$(?:\.\.|\[|\.(?:messages|input|prompt|contents|system|systemInstruction|instructions)\b)/;

/** A JSONPath into the prompt (or one that may reach it) is recorded by presence; anything else by value. */
function recordedAs(from: SignalSource): DeclaredSignal['record'] {
  return from.kind === 'jsonpath' && PROMPT_FIELD.test(from.path) ? 'presence' : 'value';
}
