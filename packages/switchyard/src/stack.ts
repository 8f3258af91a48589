// switchyard(policy): the whole stack as one Express router, for teams that want it all.
import { audit, type AuditOptions } from '@switchyard/audit';
import { budget, budgetReport } from '@switchyard/budget';
import { keyAllowList, keys } from '@switchyard/keys';
import { errorHandler, methodNotAllowed, unknownEndpoint, type ErrorHandlerOptions } from '@switchyard/core';
import { modelList, pin } from '@switchyard/pinning';
import { dispatch } from '@switchyard/dispatch';
import { rules } from '@switchyard/rules';
import { signals } from '@switchyard/signals';
import express, { type Router } from 'express';
import type { CompiledPolicy } from './compile.js';

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

/** Every owner's spend this month, for the policy's `budgets.admin_key` only. */
export const BUDGET_REPORT_PATH = '/switchyard/budget';

export interface SwitchyardOptions extends ErrorHandlerOptions {
  /** Largest request body accepted, in bytes or as `'4mb'`. Default: `'4mb'`. */
  readonly bodyLimit?: number | string;
  /** Spans, metrics and the audit log of every routed call (see `@switchyard/audit`). Default: spans and metrics, no log. */
  readonly audit?: Omit<AuditOptions, 'policy'>;
}

/** Mount it where OpenAI clients expect the API: `app.use('/v1', switchyard(await loadPolicy(file)))`. */
export function switchyard(compiled: CompiledPolicy, options: SwitchyardOptions = {}): Router {
  const { policy, budget: ledger } = compiled;
  const router = express.Router();
  if (policy.budgets?.adminKeyDigest) router.get(BUDGET_REPORT_PATH, budgetReport({ ledger }));
  const auditCall = audit({ ...options.audit, policy });
  const checkKey = keys({ policy });
  const routed = [
    signals({ catalog: compiled.catalog, bodyLimit: options.bodyLimit }),
    rules({ compiled: compiled.rules }),
    pin({ policy, allowedModels: keyAllowList }),
    budget({ ledger }),
    dispatch({ policy }),
  ];
  // A routed call runs its whole chain in one route (one router step, not five): audit() first, so that
  // every outcome is recorded, a refused key included. Every other request meets keys() below.
  router.post([...ROUTED_PATHS, GEMINI_PATH], auditCall, checkKey, ...routed);
  // A known path asked for with another method: 405 naming the one it takes, before any key is asked for.
  router.all([...ROUTED_PATHS, GEMINI_PATH], function wrongMethod(req, _res, next) {
    next(methodNotAllowed(req.method, req.baseUrl + req.path, ['POST']));
  });
  router.use(checkKey);
  router.get('/models', modelList({ policy, allowedModels: keyAllowList }));
  router.all('/models', function wrongMethod(req, _res, next) {
    next(methodNotAllowed(req.method, req.baseUrl + req.path, ['GET']));
  });
  router.use(function notAnEndpoint(req, _res, next) {
    next(unknownEndpoint(req.method, req.baseUrl + req.path));
  });
  router.use(errorHandler(options));
  return router;
}
