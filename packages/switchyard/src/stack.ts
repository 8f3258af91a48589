// switchyard(policy): the whole stack of one compiled policy as one Express router, for teams that want it all.
import { audit, type AuditHandler, type AuditOptions } from '@switchyard/audit';
import { budget, budgetReport } from '@switchyard/budget';
import { adminOnly, keys, rateLimits } from '@switchyard/keys';
import {
  errorHandler,
  GatewayIds,
  mediaRequest,
  methodNotAllowed,
  previousResponse,
  routing,
  unknownEndpoint,
  type ErrorHandlerOptions,
} from '@switchyard/core';
import { modelList, pin } from '@switchyard/pinning';
import { dispatch, type DispatchHandler } from '@switchyard/dispatch';
import { rules, workflows } from '@switchyard/rules';
import { signals } from '@switchyard/signals';
import express, { type RequestHandler } from 'express';
import type { CompiledPolicy } from './compile.js';
import { chain } from './chain.js';
import { EXPLAIN_PATH, explainEndpoint } from './explain/endpoint.js';
import { POLICY_STATUS_PATH, type PolicyStatus } from './policy-status.js';
import { POLICY_HEADER } from './version.js';
import { WORKFLOWS_REPORT_PATH, workflowsReportEndpoint } from './workflows-report.js';

/** Anthropic's Messages API: the front door for Anthropic clients, whose errors are answered in Anthropic's shape. */
export const MESSAGES_PATH = '/messages';

/** The endpoints the stack routes: OpenAI's, Anthropic's Messages and its token counting. */
export const ROUTED_PATHS = [
  '/chat/completions',
  '/completions',
  '/embeddings',
  '/responses',
  MESSAGES_PATH,
  '/messages/count_tokens',
] as const;

/**
 * Google's generateContent, streamGenerateContent and countTokens, the model in the path: below the stack's
 * mount as `/v1beta/models/…` (a Google client whose base URL is the gateway's `/v1`) or `/models/…` (mounted
 * at `/v1beta` too, for a client whose base URL is the gateway itself).
 */
export const GEMINI_PATH = /^\/(?:v1beta\/)?models\/[^/]+:(?:generateContent|streamGenerateContent|countTokens)$/;

/**
 * The media families and the follow-ups on gateway IDs, by method: each goes through the whole stack, its
 * `endpoint` set to its family (images, audio, videos, tasks, responses).
 */
export const MEDIA_PATHS = {
  POST: [
    '/images/generations',
    '/images/edits',
    '/images/variations',
    '/audio/speech',
    '/audio/transcriptions',
    '/audio/translations',
    '/videos',
    '/videos/:id/remix',
    '/tasks',
  ],
  GET: ['/videos/:id', '/videos/:id/content', '/tasks/:id', '/responses/:id'],
  DELETE: ['/videos/:id', '/responses/:id'],
} as const;

/** Every owner's spend this month, for the policy's `budgets.admin_key` only. */
export const BUDGET_REPORT_PATH = '/switchyard/budget';

export interface SwitchyardOptions extends ErrorHandlerOptions {
  /** Largest request body accepted, in bytes or as `'4mb'`. Default: `'4mb'`. */
  readonly bodyLimit?: number | string;
  /** Spans, metrics and the audit log of every routed call (see `@switchyard/audit`). Default: spans and metrics, no log. */
  readonly audit?: Omit<AuditOptions, 'policy'>;
}

/** One compiled policy's stack: its router, and what must be let go of once it serves no more. */
export interface PolicyStack {
  readonly compiled: CompiledPolicy;
  /** Its request handler: the routed paths directly, everything else through its router. */
  readonly router: RequestHandler;
  /** Its upstream pools and cooldowns, which the next version's dispatch() takes over. */
  readonly dispatcher: DispatchHandler;
  /** Closes the audit log file this stack opened, if any. */
  readonly audit: AuditHandler;
}

/** What a reloading gateway gives the stack of each version. */
export interface StackLinks {
  /** The stack this one replaces: its pools and cooldowns carry over. */
  readonly previous?: PolicyStack;
  /** The policy status the admin endpoint answers. */
  readonly status: () => PolicyStatus;
}

/**
 * Mount it where OpenAI clients expect the API: `app.use('/v1', switchyard(await loadPolicy(file)))`.
 * For a policy that reloads when its file changes, see `switchyardGateway()`.
 */
export function switchyard(compiled: CompiledPolicy, options: SwitchyardOptions = {}): RequestHandler {
  const loadedAt = new Date().toISOString();
  const status = (): PolicyStatus => ({
    version: compiled.version,
    loaded_at: loadedAt,
    source: compiled.source ?? null,
    last_error: null,
  });
  return buildStack(compiled, options, { status }).router;
}

/** The stack of one compiled policy. */
export function buildStack(compiled: CompiledPolicy, options: SwitchyardOptions, links: StackLinks): PolicyStack {
  const { policy, budget: ledger } = compiled;
  const router = express.Router();
  const stamp = policyStamp(compiled.version);
  const admin = policy.budgets?.adminKeyDigest;
  if (admin) {
    const adminKey = adminOnly(admin);
    router.get(BUDGET_REPORT_PATH, stamp, budgetReport({ ledger }));
    router.get(POLICY_STATUS_PATH, stamp, adminKey, (_req, res) => void res.json(links.status()));
    router.post(EXPLAIN_PATH, stamp, adminKey, explainEndpoint(compiled, options));
    router.get(WORKFLOWS_REPORT_PATH, stamp, adminKey, workflowsReportEndpoint(compiled));
  }
  const checkKey = keys({ policy });
  const routed = [
    signals({ catalog: compiled.catalog, bodyLimit: options.bodyLimit }),
    workflows({ policy, compiled: compiled.rules, firstToken: compiled.firstToken }),
    rules({ compiled: compiled.rules }),
    pin({ policy }),
    // After pin(): the chosen model's output cap bounds the tokens; before budget(): a limited call reserves nothing.
    rateLimits({ limiter: compiled.limits }),
    budget({ ledger }),
  ];
  const models = modelList({ policy });
  // Last, as nothing after them can fail: audit() opens its log file, dispatch() takes over the previous
  // version's pools, neither of which may happen for a stack that is then not built.
  const auditCall = audit({ ...options.audit, policy });
  const dispatcher = closingOnError(auditCall, () => dispatch({ policy, previous: links.previous?.dispatcher }));
  // A routed call runs its whole chain in one route (one router step, not five): audit() first, so that
  // every outcome is recorded, a refused key included. Every other request meets keys() below.
  const ids = policy.ids && new GatewayIds(policy.ids.secret);
  const routes = new Set(policy.routes.keys());
  // With an ID key, a Responses call carrying a gateway ID in previous_response_id goes where that response is stored.
  if (ids)
    router.post(
      '/responses',
      stamp,
      auditCall,
      checkKey,
      previousResponse({ ids, bodyLimit: options.bodyLimit, routes }),
      ...routed,
      dispatcher,
    );
  const routedCall = chain([stamp, auditCall, checkKey, ...routed, dispatcher]);
  router.post([...ROUTED_PATHS, GEMINI_PATH], routedCall);
  const media = [stamp, auditCall, checkKey, mediaRequest({ ids, bodyLimit: options.bodyLimit, routes }), ...routed, dispatcher];
  router.post([...MEDIA_PATHS.POST], ...media);
  router.get([...MEDIA_PATHS.GET], ...media);
  router.delete([...MEDIA_PATHS.DELETE], ...media);
  const mediaMethods = new Map<string, string[]>();
  for (const [method, paths] of Object.entries(MEDIA_PATHS))
    for (const path of paths) mediaMethods.set(path, [...(mediaMethods.get(path) ?? []), method]);
  for (const [path, methods] of mediaMethods) {
    router.all(path, stamp, function wrongMethod(req, _res, next) {
      next(methodNotAllowed(req.method, req.baseUrl + req.path, methods));
    });
  }
  // A known path asked for with another method: 405 naming the one it takes, before any key is asked for.
  router.all([...ROUTED_PATHS, GEMINI_PATH], stamp, function wrongMethod(req, _res, next) {
    next(methodNotAllowed(req.method, req.baseUrl + req.path, ['POST']));
  });
  router.use(stamp, checkKey);
  router.get('/models', models);
  router.all('/models', function wrongMethod(req, _res, next) {
    next(methodNotAllowed(req.method, req.baseUrl + req.path, ['GET']));
  });
  router.use(function notAnEndpoint(req, _res, next) {
    next(unknownEndpoint(req.method, req.baseUrl + req.path));
  });
  const answerError = errorHandler(options);
  router.use(answerError);
  // The routed paths skip the router: one path lookup instead of matching layer after layer.
  const fast = new Set<string>(ROUTED_PATHS);
  if (ids) fast.delete('/responses');
  const front: RequestHandler = function switchyardStack(req, res, next) {
    if (req.method !== 'POST' || !(fast.has(req.path) || GEMINI_PATH.test(req.path))) return router(req, res, next);
    routedCall(req, res, (err?: unknown) => (err === undefined ? next() : answerError(err, req, res, next)));
  };
  return { compiled, router: front, dispatcher, audit: auditCall };
}

/** `make()`, or the audit log closed again when it throws. */
function closingOnError<T>(auditCall: AuditHandler, make: () => T): T {
  try {
    return make();
  } catch (err) {
    auditCall.close();
    throw err;
  }
}

/** Every answer names the policy version that gave it (`x-switchyard-policy`), and so does the record. */
function policyStamp(version: string): RequestHandler {
  return function switchyardPolicyVersion(req, res, next) {
    routing(req).record.policyVersion = version;
    res.setHeader(POLICY_HEADER, version);
    next();
  };
}
