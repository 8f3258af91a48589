import { sendBinary } from './binary-send.js';
import { sendBody } from './body-send.js';
import { invalidRequest, type OpenAIError } from './errors.js';
import { nextId } from './ids.js';
import { sniffImageType } from './image-data.js';
import { type Job, jobPhase, newJob } from './jobs.js';
import { readFields } from './multipart.js';
import { invalidType, invalidValue, missingParameter, unknownKey } from './openai-params.js';
import { openAIPrelude, type StatefulRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route, RouteContext } from './router.js';
import type { Behaviour } from './types.js';
import { SPRITESHEET_JPEG, THUMBNAIL_WEBP, VIDEO_MP4 } from './video-media.js';

const CREATE_FIELDS: ReadonlySet<string> = new Set(['prompt', 'model', 'seconds', 'size', 'input_reference']);
const REMIX_FIELDS: ReadonlySet<string> = new Set(['prompt']);
const SECONDS = ['4', '8', '12'];
const SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'];
// sora-2 renders the 720p sizes only; sora-2-pro (and models the mock does not know) all four.
const SORA_2_SIZES = ['720x1280', '1280x720'];
const REFERENCE_LIMIT_BYTES = 50 * 1024 * 1024;
// Completed videos can be downloaded for a day.
const EXPIRY_SECONDS = 24 * 60 * 60;
const VARIANTS: Readonly<Record<string, { readonly type: string; readonly bytes: Buffer }>> = {
  video: { type: 'video/mp4', bytes: VIDEO_MP4 },
  thumbnail: { type: 'image/webp', bytes: THUMBNAIL_WEBP },
  spritesheet: { type: 'image/jpeg', bytes: SPRITESHEET_JPEG },
};

/**
 * OpenAI's asynchronous videos API: `POST /v1/videos` (JSON or multipart) mints `video_…` jobs that move
 * `queued` → `in_progress` → `completed` (or `failed`) over the scripted phase times; `GET /v1/videos`,
 * `GET`/`DELETE /v1/videos/{id}`, `GET /v1/videos/{id}/content?variant=…` and `POST /v1/videos/{id}/remix`
 * follow up. Follow-ups record the ID they name and play the script of the video's model.
 */
export function videosRoutes(
  deps: StatefulRouteDeps,
): Record<'create' | 'list' | 'retrieve' | 'remove' | 'content' | 'remix', Route> {
  const { state, config } = deps;
  const now = (): number => config.clock();

  async function create({ req, res, call }: RouteContext): Promise<void> {
    const read = await readFields(req, call, { fileBytes: config.uploadLimitBytes ?? REFERENCE_LIMIT_BYTES, headBytes: 16 });
    if (!read.ok) return sendError(res, read.status, invalidRequest(read.message));
    const fields = read.fields;
    const reference = read.form?.files.find((file) => file.field === 'input_reference');
    const problem = checkCreate(fields, reference?.head);
    if (problem) return sendError(res, 400, problem);
    const model = typeof fields.model === 'string' ? fields.model : 'sora-2';
    call.model = model;
    const behaviour = await openAIPrelude(deps, { req, res }, model, false, fields.model !== undefined);
    if (!behaviour) return;
    const details = {
      prompt: fields.prompt,
      seconds: typeof fields.seconds === 'string' ? fields.seconds : '4',
      size: typeof fields.size === 'string' ? fields.size : '720x1280',
      remixed_from_video_id: null,
    };
    mint(res, call, model, behaviour, details);
  }

  function mint(
    res: RouteContext['res'],
    call: RouteContext['call'],
    model: string,
    behaviour: Behaviour,
    details: Record<string, unknown>,
  ): void {
    const job = newJob(nextId('video'), model, now(), behaviour, config.jobSteps, details);
    state.videos.set(job.id, job);
    call.mintedId = job.id;
    sendBody(
      res,
      call,
      baseHeaders('application/json', behaviour.retryAfter),
      JSON.stringify(videoObject(job, job.createdAt)),
      behaviour,
    );
  }

  /** The video the path names (404 when unknown), after the faults scripted for its model. */
  async function found(ctx: RouteContext): Promise<{ job: Job; behaviour: Behaviour } | undefined> {
    const id = ctx.param ?? '';
    if (id.includes('/')) {
      sendError(ctx.res, 404, invalidRequest(`Invalid URL (${ctx.call.method} ${ctx.call.path})`));
      return undefined;
    }
    ctx.call.referencedId = id;
    const job = state.videos.get(id);
    if (!job) {
      sendError(ctx.res, 404, invalidRequest(`Video with id '${id}' not found.`, null, 'video_not_found'));
      return undefined;
    }
    ctx.call.model = job.model;
    const behaviour = await openAIPrelude(deps, ctx, job.model, false, false);
    return behaviour && { job, behaviour };
  }

  const json = ({ res, call }: RouteContext, body: unknown, behaviour: Behaviour): void =>
    sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), JSON.stringify(body), behaviour);

  return {
    create,
    async list(ctx: RouteContext): Promise<void> {
      const behaviour = await openAIPrelude(deps, ctx, undefined, false, false);
      if (!behaviour) return;
      const data = [...state.videos.values()].reverse().map((job) => videoObject(job, now()));
      json(
        ctx,
        { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false },
        behaviour,
      );
    },
    async retrieve(ctx: RouteContext): Promise<void> {
      const hit = await found(ctx);
      if (hit) json(ctx, videoObject(hit.job, now()), hit.behaviour);
    },
    async remove(ctx: RouteContext): Promise<void> {
      const hit = await found(ctx);
      if (!hit) return;
      state.videos.delete(hit.job.id);
      json(ctx, { id: hit.job.id, object: 'video.deleted', deleted: true }, hit.behaviour);
    },
    async content(ctx: RouteContext): Promise<void> {
      const variant = new URLSearchParams(ctx.req.url?.split('?')[1] ?? '').get('variant') ?? 'video';
      const payload = VARIANTS[variant];
      if (!payload) return sendError(ctx.res, 400, invalidValue('variant', variant, Object.keys(VARIANTS)));
      const hit = await found(ctx);
      if (!hit) return;
      const phase = jobPhase(hit.job, now());
      if (phase.status !== 'completed') {
        const message =
          phase.status === 'failed'
            ? `Video ${hit.job.id} failed; it has no content.`
            : `Video is not ready yet, use GET /v1/videos/${hit.job.id} to check status.`;
        return sendError(ctx.res, 404, invalidRequest(message));
      }
      await sendBinary(
        ctx.res,
        ctx.call,
        baseHeaders(payload.type, hit.behaviour.retryAfter),
        payload.bytes,
        hit.behaviour,
        true,
      );
    },
    async remix(ctx: RouteContext): Promise<void> {
      const id = ctx.param ?? '';
      ctx.call.referencedId = id;
      const read = await readFields(ctx.req, ctx.call, { fileBytes: REFERENCE_LIMIT_BYTES, headBytes: 16 });
      if (!read.ok) return sendError(ctx.res, read.status, invalidRequest(read.message));
      const problem = unknownKey(read.fields as Record<string, unknown>, REMIX_FIELDS) ?? checkPrompt(read.fields.prompt);
      if (problem) return sendError(ctx.res, 400, problem);
      const source = state.videos.get(id);
      if (!source) return sendError(ctx.res, 404, invalidRequest(`Video with id '${id}' not found.`, null, 'video_not_found'));
      if (jobPhase(source, now()).status !== 'completed') {
        return sendError(
          ctx.res,
          400,
          invalidRequest(`Video ${id} is not completed; only completed videos can be remixed.`, 'video_id'),
        );
      }
      ctx.call.model = source.model;
      const behaviour = await openAIPrelude(deps, ctx, source.model, false, false);
      if (!behaviour) return;
      mint(ctx.res, ctx.call, source.model, behaviour, {
        ...source.details,
        prompt: read.fields.prompt,
        remixed_from_video_id: id,
      });
    },
  };
}

/** The `video` object of `job` at epoch ms `now`. */
export function videoObject(job: Job, now: number): Record<string, unknown> & { id: string } {
  const phase = jobPhase(job, now);
  const completedAt = phase.endedAt === undefined ? null : Math.floor(phase.endedAt / 1000);
  return {
    id: job.id,
    object: 'video',
    model: job.model,
    status: phase.status,
    progress: phase.progress,
    created_at: Math.floor(job.createdAt / 1000),
    completed_at: completedAt,
    expires_at: phase.status === 'completed' && completedAt !== null ? completedAt + EXPIRY_SECONDS : null,
    error: phase.status === 'failed' ? { code: job.failure, message: `Video generation failed (${job.failure}).` } : null,
    ...job.details,
  };
}

function checkCreate(fields: Readonly<Record<string, unknown>>, referenceHead: Buffer | undefined): OpenAIError | undefined {
  const unknown = unknownKey(fields as Record<string, unknown>, CREATE_FIELDS);
  if (unknown) return unknown;
  const prompt = checkPrompt(fields.prompt);
  if (prompt) return prompt;
  const { model, seconds, size } = fields;
  if (model !== undefined && typeof model !== 'string') return invalidType('model', 'a string', model);
  if (seconds !== undefined && typeof seconds !== 'string') return invalidType('seconds', 'a string', seconds);
  if (seconds !== undefined && !SECONDS.includes(seconds)) return invalidValue('seconds', seconds, SECONDS);
  const sizes = (model ?? 'sora-2') === 'sora-2' ? SORA_2_SIZES : SIZES;
  if (size !== undefined && (typeof size !== 'string' || !sizes.includes(size))) return invalidValue('size', size, sizes);
  if (
    referenceHead &&
    !['image/jpeg', 'image/png', 'image/webp'].includes(sniffImageType(referenceHead.toString('base64')) ?? '')
  ) {
    return invalidRequest(
      "Invalid file 'input_reference': unsupported mimetype. Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
      'input_reference',
      'unsupported_file_mimetype',
    );
  }
  return undefined;
}

function checkPrompt(prompt: unknown): OpenAIError | undefined {
  if (prompt === undefined) return missingParameter('prompt');
  if (typeof prompt !== 'string' || prompt.length === 0) return invalidType('prompt', 'a non-empty string', prompt);
  return undefined;
}
