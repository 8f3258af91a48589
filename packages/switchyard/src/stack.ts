// switchyard(policy): the whole stack as one Express router, for teams that want it all.
import { errorHandler, SwitchyardError, type ErrorHandlerOptions } from '@switchyard/core';
import { modelList, pin } from '@switchyard/pinning';
import { dispatch } from '@switchyard/providers';
import { rules } from '@switchyard/rules';
import { signals } from '@switchyard/signals';
import express, { type Router } from 'express';
import type { CompiledPolicy } from './compile.js';

/** The OpenAI-compatible endpoints the stack routes. */
export const ROUTED_PATHS = ['/chat/completions', '/completions', '/embeddings', '/responses'] as const;

export interface SwitchyardOptions extends ErrorHandlerOptions {
  /** Largest request body accepted, in bytes or as `'4mb'`. Default: `'4mb'`. */
  readonly bodyLimit?: number | string;
}

/** Mount it where OpenAI clients expect the API: `app.use('/v1', switchyard(await loadPolicy(file)))`. */
export function switchyard(compiled: CompiledPolicy, options: SwitchyardOptions = {}): Router {
  const { policy } = compiled;
  const router = express.Router();
  router.get('/models', modelList({ policy }));
  router.post(
    [...ROUTED_PATHS],
    signals({ catalog: compiled.catalog, bodyLimit: options.bodyLimit }),
    rules({ compiled: compiled.rules }),
    pin({ policy }),
    dispatch({ policy }),
  );
  router.use(function unknownEndpoint(req, _res, next) {
    next(
      new SwitchyardError({
        status: 404,
        type: 'invalid_request_error',
        code: 'unknown_endpoint',
        message: `${req.method} ${req.baseUrl}${req.path} is not an endpoint of this gateway.`,
      }),
    );
  });
  router.use(errorHandler(options));
  return router;
}
