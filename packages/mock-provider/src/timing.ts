import type { ServerResponse } from 'node:http';

/** Whether the response's connection is gone, so nothing more should be written or waited for. */
export function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

/**
 * Waits `ms`, cut short when the connection closes so no timer outlives its request.
 * Resolves `true` when the response can go on, `false` when the connection went away.
 */
export function sleep(res: ServerResponse, ms: number): Promise<boolean> {
  if (isGone(res)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!isGone(res));
    }, ms);
    res.once('close', onClose);
  });
}

/** Resolves when the connection of `res` closes: the client left or the server shut down. */
export function untilClosed(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}
