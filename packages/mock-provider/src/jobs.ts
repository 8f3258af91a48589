import type { Behaviour } from './types.js';

/** Where an asynchronous job is in its life, as OpenAI's videos API names the phases. */
export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

/** An asynchronous job (a video or a vendor task): its timeline is fixed when it is created. */
export interface Job {
  readonly id: string;
  readonly model: string;
  /** Epoch ms of creation. */
  readonly createdAt: number;
  readonly queuedMs: number;
  readonly runningMs: number;
  /** The error code it fails with, or `undefined` when it completes. */
  readonly failure: string | undefined;
  /** What the create request asked for (prompt, size, seconds, …), echoed by the status answers. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** A job's state at one instant. */
export interface JobPhase {
  readonly status: JobStatus;
  /** 0 to 100: 0 while queued, growing while in progress, 100 when it ended either way. */
  readonly progress: number;
  /** Epoch ms when it completed or failed, else `undefined`. */
  readonly endedAt: number | undefined;
}

/** The phases of `job` at epoch ms `now`: queued, then in progress, then completed (or failed). */
export function jobPhase(job: Job, now: number): JobPhase {
  const elapsed = now - job.createdAt;
  if (elapsed < job.queuedMs) return { status: 'queued', progress: 0, endedAt: undefined };
  const running = elapsed - job.queuedMs;
  if (running < job.runningMs) {
    return { status: 'in_progress', progress: Math.floor((running / job.runningMs) * 100), endedAt: undefined };
  }
  const endedAt = job.createdAt + job.queuedMs + job.runningMs;
  return { status: job.failure === undefined ? 'completed' : 'failed', progress: 100, endedAt };
}

/** Builds a job whose timeline comes from the call's behaviour, else the configured defaults. */
export function newJob(
  id: string,
  model: string,
  now: number,
  behaviour: Behaviour,
  defaults: { readonly queuedMs: number; readonly runningMs: number },
  details: Readonly<Record<string, unknown>>,
): Job {
  return {
    id,
    model,
    createdAt: now,
    queuedMs: behaviour.jobQueuedMs ?? defaults.queuedMs,
    runningMs: behaviour.jobRunningMs ?? defaults.runningMs,
    failure: behaviour.jobFailure,
    details,
  };
}
