import type { ScriptBook } from './behaviour.js';
import { chatCompletionsRoute } from './chat-route.js';
import type { MockConfig } from './config.js';
import { modelsRoutes } from './models-route.js';
import { Router } from './router.js';

/** The OpenAI-format endpoints, under paths relative to `/v1`. */
export function openAIRouter(config: MockConfig, scripts: ScriptBook): Router {
  const models = modelsRoutes(config.models);
  return new Router()
    .on('POST', '/chat/completions', chatCompletionsRoute(config, scripts))
    .on('GET', '/models', models.list)
    .on('GET', '/models/:id', models.retrieve);
}
