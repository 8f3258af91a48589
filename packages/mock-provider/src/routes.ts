import { anthropicCountTokensRoute } from './anthropic-count-route.js';
import { anthropicModelsRoutes } from './anthropic-models.js';
import { anthropicMessagesRoute } from './anthropic-route.js';
import { checkApiKey } from './auth.js';
import type { ScriptBook } from './behaviour.js';
import { chatCompletionsRoute } from './chat-route.js';
import { completionsRoute } from './completions-route.js';
import type { MockConfig } from './config.js';
import { embeddingsRoute } from './embeddings-route.js';
import { geminiRoute } from './gemini-route.js';
import { imageGenerationsRoute, imageUploadRoute } from './images-route.js';
import { MEDIA_PATH, mediaRoute } from './media-route.js';
import type { MockState } from './mock-state.js';
import { modelsRoutes } from './models-route.js';
import type { PromptCache } from './prompt-cache.js';
import { sendError } from './respond.js';
import { responsesRoutes } from './responses-route.js';
import { Router, type Route } from './router.js';
import { speechRoute } from './speech-route.js';
import { tasksRoutes } from './tasks-route.js';
import { transcriptionRoute } from './transcription-route.js';
import { videosRoutes } from './videos-route.js';

/**
 * Every endpoint, under paths relative to `/v1`: the OpenAI ones (key checked by the handler), Anthropic's
 * `/messages`, Gemini's `/v1beta/models/{model}:{method}` (and `/v1/models/…`), and `/models` in
 * Anthropic's shape when the request carries `anthropic-version`; those check their own keys.
 */
export function mockRouter(config: MockConfig, scripts: ScriptBook, cache: PromptCache, state: MockState): Router {
  const openai = modelsRoutes(config.models);
  const anthropic = anthropicModelsRoutes(config);
  const gemini = geminiRoute(config, scripts);
  const deps = { config, scripts, state };
  const responses = responsesRoutes(deps);
  const videos = videosRoutes(deps);
  const tasks = tasksRoutes(deps);
  return new Router()
    .on('POST', '/chat/completions', chatCompletionsRoute(config, scripts))
    .on('POST', '/completions', completionsRoute(deps))
    .on('POST', '/embeddings', embeddingsRoute(deps))
    .on('POST', '/responses', responses.create)
    .on('GET', '/responses/:id', responses.retrieve)
    .on('DELETE', '/responses/:id', responses.remove)
    .on('POST', '/images/generations', imageGenerationsRoute(deps))
    .on('POST', '/images/edits', imageUploadRoute(deps, 'edits'), 'openai', 'raw')
    .on('POST', '/images/variations', imageUploadRoute(deps, 'variations'), 'openai', 'raw')
    .on('POST', '/audio/speech', speechRoute(deps))
    .on('POST', '/audio/transcriptions', transcriptionRoute(deps, 'transcribe'), 'openai', 'raw')
    .on('POST', '/audio/translations', transcriptionRoute(deps, 'translate'), 'openai', 'raw')
    .on('POST', '/videos', videos.create, 'openai', 'raw')
    .on('GET', '/videos', videos.list)
    .on('GET', '/videos/:id', videos.retrieve)
    .on('DELETE', '/videos/:id', videos.remove)
    .on('GET', '/videos/:id/content', videos.content)
    .on('POST', '/videos/:id/remix', videos.remix, 'openai', 'raw')
    .on('POST', localPath(config.taskPaths.create), tasks.create)
    .on('GET', localPath(config.taskPaths.get).replace('{id}', ':id'), tasks.get)
    .on('GET', `${MEDIA_PATH}/:name`, mediaRoute(state), 'own')
    .on('POST', '/messages', anthropicMessagesRoute(config, scripts, cache), 'own')
    .on('POST', '/messages/count_tokens', anthropicCountTokensRoute(config, scripts), 'own')
    .on('GET', '/models', byShape(config, openai.list, anthropic.list), 'own')
    .on('GET', '/models/:id', byShape(config, openai.retrieve, anthropic.retrieve), 'own')
    .on('POST', '/models/:call', gemini, 'own')
    .on('POST', '/v1beta/models/:call', gemini, 'own');
}

// Routes are matched without the `/v1` prefix, which every path may carry or not.
function localPath(path: string): string {
  return path.startsWith('/v1/') ? path.slice(3) : path;
}

// Both APIs list models at GET /v1/models; Anthropic clients always send `anthropic-version`.
function byShape(config: MockConfig, openai: Route, anthropic: Route): Route {
  return function modelsByShape(context) {
    if (context.req.headers['anthropic-version'] !== undefined) return anthropic(context);
    const keyError = config.apiKeys && checkApiKey(context.req.headers, config.apiKeys);
    if (keyError) return sendError(context.res, 401, keyError);
    return openai(context);
  };
}
