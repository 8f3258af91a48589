// POST /v1/switchyard/explain: explain, served by the gateway for its admin key, on the policy it serves
// and the spend its store holds.
import { badRequest, isObject } from '@switchyard/core';
import express, { type RequestHandler } from 'express';
import type { CompiledPolicy } from '../compile.js';
import { explainRequest } from './explain.js';
import { ExplainInputError } from './input-error.js';
import type { ExplainInput } from './types.js';

/** Where the explain endpoint is served, below the stack's mount point. */
export const EXPLAIN_PATH = '/switchyard/explain';

/** Headers of the explain call itself, never taken for the explained request's. */
const OWN_HEADERS = new Set(['authorization', 'x-api-key', 'host', 'content-length', 'content-type', 'connection', 'accept']);

/**
 * Mount after the admin key check. The body is either the request to explain itself (it has a `model`;
 * the call's other headers are its headers), or `{ request, path?, headers?, key?, given?, upstream? }`
 * as `switchyard explain` and policy tests take it. Answers the explanation as JSON; 400 for a body that is
 * neither, or a `given` or `upstream` the policy does not know.
 */
export function explainEndpoint(compiled: CompiledPolicy, options: { readonly bodyLimit?: number | string }): RequestHandler[] {
  return [
    express.json({ limit: options.bodyLimit ?? '4mb', type: () => true }),
    function switchyardExplain(req, res, next) {
      let input: ExplainInput;
      try {
        input = explainInput(req.body, req.headers);
      } catch (err) {
        return next(err);
      }
      explainRequest(compiled, input).then(
        (explanation) => void res.json(explanation),
        (err: unknown) => next(err instanceof ExplainInputError ? badRequest(err.message, 'invalid_explain_input') : err),
      );
    },
  ];
}

function explainInput(body: unknown, headers: Readonly<Record<string, string | string[] | undefined>>): ExplainInput {
  if (!isObject(body)) throw invalid('Send the request to explain, or { "request": {...}, "headers": {...} }.');
  if (!('request' in body)) return { body, headers: callHeaders(headers) };
  const { request, path, headers: sent, key, given, upstream } = body;
  if (!isObject(request)) throw invalid('"request" must be the request body to explain, an object.');
  if (path !== undefined && typeof path !== 'string') throw invalid('"path" must be a string, e.g. "/messages".');
  if (key !== undefined && typeof key !== 'string') throw invalid('"key" must be a string.');
  if (given !== undefined && !isObject(given)) throw invalid('"given" must map signal names to values.');
  if (sent !== undefined && !(isObject(sent) && Object.values(sent).every((v) => typeof v === 'string'))) {
    throw invalid('"headers" must map header names to strings.');
  }
  return {
    body: request,
    path,
    headers: sent as Record<string, string> | undefined,
    key,
    given: given as ExplainInput['given'],
    upstream: upstream as ExplainInput['upstream'],
  };
}

/** The explain call's own headers, but for its admin key and its transport. */
function callHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (OWN_HEADERS.has(name) || value === undefined) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

function invalid(message: string) {
  return badRequest(message, 'invalid_explain_input');
}
