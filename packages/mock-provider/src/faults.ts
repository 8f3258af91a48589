import type { ServerResponse } from 'node:http';
import { errorForStatus } from './errors.js';
import { sendError } from './respond.js';
import { sleep, untilClosed } from './timing.js';
import type { Behaviour } from './types.js';

/** Sends the error response a scripted `status` stands for, in one API's shape. */
export type StatusErrorSender = (res: ServerResponse, status: number, retryAfter: string | undefined) => void;

/**
 * Plays the parts of a behaviour that come before a normal answer: hang, latency, error status.
 * Resolves `true` when the caller should go on and answer, `false` when the exchange is over.
 * `streaming` keeps `firstByteDelayMs` for after the headers; otherwise it adds to the latency.
 * `sendStatusError` renders a scripted error status; default: OpenAI's error for it.
 */
export async function playLeadingFaults(
  res: ServerResponse,
  behaviour: Behaviour,
  model: string | undefined,
  streaming: boolean,
  sendStatusError?: StatusErrorSender,
): Promise<boolean> {
  if (behaviour.hang) {
    await untilClosed(res);
    return false;
  }
  const status = behaviour.status;
  const isError = status !== undefined && status >= 400;
  const delay = (behaviour.latencyMs ?? 0) + (streaming && !isError ? 0 : (behaviour.firstByteDelayMs ?? 0));
  if (delay > 0 && !(await sleep(res, delay))) return false;
  if (isError) {
    if (sendStatusError) {
      sendStatusError(res, status, behaviour.retryAfter);
      return false;
    }
    const headers = behaviour.retryAfter === undefined ? undefined : { 'retry-after': behaviour.retryAfter };
    sendError(res, status, errorForStatus(status, model), headers);
    return false;
  }
  return true;
}
