import { sendBody } from './body-send.js';
import { INVALID_JSON } from './chat-validation.js';
import { invalidRequest } from './errors.js';
import { isRecord } from './guards.js';
import { nextId } from './ids.js';
import { type Job, jobPhase, newJob } from './jobs.js';
import { publishMedia } from './media-route.js';
import { missingParameter } from './openai-params.js';
import { openAIPrelude, type StatefulRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route, RouteContext } from './router.js';
import { silentWav } from './wav.js';

const DEFAULT_SECONDS = 8;
const MAX_SECONDS = 30;
// Task audio is small: 8 kHz mono, 16 KB a second.
const TASK_SAMPLE_RATE = 8000;

/**
 * A generic vendor task API (Suno-style music and other media vendors with their own async APIs): `create`
 * takes any JSON with a `prompt` and answers `{task_id, status: "queued"}`; `get` answers the task's status
 * (`queued`, `in_progress`, `completed`, `failed`) and, once completed, `{audio_url, duration}`, the URL served
 * by this mock. `duration` (seconds, 1 to 30) may be asked for in the create body; default 8.
 */
export function tasksRoutes(deps: StatefulRouteDeps): { readonly create: Route; readonly get: Route } {
  const { state, config } = deps;

  return {
    async create({ req, res, call, body, isJson }: RouteContext): Promise<void> {
      if (!isJson || !isRecord(body)) return sendError(res, 400, invalidRequest(INVALID_JSON));
      if (typeof body.prompt !== 'string' || body.prompt.length === 0) return sendError(res, 400, missingParameter('prompt'));
      const model = typeof body.model === 'string' ? body.model : undefined;
      const behaviour = await openAIPrelude(deps, { req, res }, model, false);
      if (!behaviour) return;
      const asked = typeof body.duration === 'number' ? body.duration : DEFAULT_SECONDS;
      const duration = Math.min(MAX_SECONDS, Math.max(1, asked));
      const job = newJob(nextId('task'), model ?? 'default', config.clock(), behaviour, config.jobSteps, { duration });
      state.tasks.set(job.id, job);
      call.mintedId = job.id;
      const answer = JSON.stringify({ task_id: job.id, status: 'queued' });
      sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), answer, behaviour);
    },

    async get(context: RouteContext): Promise<void> {
      const { req, res, call, param } = context;
      const id = param ?? '';
      call.referencedId = id;
      const job = state.tasks.get(id);
      if (!job) return sendError(res, 404, invalidRequest(`Task '${id}' not found.`, null, 'task_not_found'));
      call.model = job.model;
      const behaviour = await openAIPrelude(deps, { req, res }, job.model, false, false);
      if (!behaviour) return;
      const answer = JSON.stringify(taskObject(job, config.clock(), () => publishTaskAudio(context, job)));
      sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), answer, behaviour);
    },
  };

  function publishTaskAudio({ req, call }: RouteContext, job: Job): string {
    const seconds = job.details.duration as number;
    return publishMedia(
      state,
      req,
      call,
      { contentType: 'audio/wav', bytes: () => silentWav(seconds, TASK_SAMPLE_RATE) },
      'wav',
      job.id,
    );
  }
}

/** A task's status answer at epoch ms `now`; `audioUrl` is asked for only once the task has completed. */
export function taskObject(job: Job, now: number, audioUrl: () => string): Record<string, unknown> {
  const phase = jobPhase(job, now);
  const base = {
    task_id: job.id,
    status: phase.status,
    model: job.model,
    progress: phase.progress,
    created_at: Math.floor(job.createdAt / 1000),
  };
  if (phase.status === 'completed') return { ...base, audio_url: audioUrl(), duration: job.details.duration };
  if (phase.status === 'failed') return { ...base, error: { code: job.failure, message: `Task failed (${job.failure}).` } };
  return base;
}
