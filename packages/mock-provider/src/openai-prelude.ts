import { scriptedBehaviour, type ScriptBook } from './behaviour.js';
import type { MockConfig } from './config.js';
import type { MockState } from './mock-state.js';
import { invalidRequest, modelNotFound } from './errors.js';
import { playLeadingFaults } from './faults.js';
import { sendError } from './respond.js';
import type { RouteContext } from './router.js';
import type { Behaviour } from './types.js';

/** What every OpenAI-shaped route needs to run the steps before its answer. */
export interface OpenAIRouteDeps {
  readonly config: MockConfig;
  readonly scripts: ScriptBook;
}

/** What routes that keep objects between calls need (responses, videos, tasks, served media). */
export interface StatefulRouteDeps extends OpenAIRouteDeps {
  readonly state: MockState;
}

/**
 * The steps every OpenAI-shaped route takes after validating its body: 404 for a model outside `models`
 * (with `strictModels`, when the request named one), the call's behaviour (400 for a bad `x-mock-*` header),
 * then hang, latency and scripted error status. Resolves the behaviour to answer with, or `undefined` when the
 * exchange is already over.
 */
export async function openAIPrelude(
  { config, scripts }: OpenAIRouteDeps,
  { req, res }: Pick<RouteContext, 'req' | 'res'>,
  model: string | undefined,
  streaming: boolean,
  explicitModel = true,
): Promise<Behaviour | undefined> {
  if (explicitModel && model !== undefined && config.strictModels && !config.modelSet.has(model)) {
    sendError(res, 404, modelNotFound(model));
    return undefined;
  }
  const scripted = scriptedBehaviour(scripts, model, req.headers);
  if ('headerError' in scripted) {
    sendError(res, 400, invalidRequest(scripted.headerError));
    return undefined;
  }
  const { behaviour } = scripted;
  return (await playLeadingFaults(res, behaviour, model, streaming)) ? behaviour : undefined;
}
