// Retry-After (RFC 9110 §10.2.3) in both forms, and OpenAI's millisecond variant.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * How long the upstream asked us to wait, in ms: `retry-after-ms` (OpenAI), else `Retry-After` as
 * delay-seconds or as an HTTP date (relative to `now`; a date in the past means 0). `undefined` when
 * neither header is present and valid.
 */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number): number | undefined {
  const ms = single(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = single(headers['retry-after']);
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date starts with the day name; Date.parse alone would also take "1.5" for a date.
  if (!/^[A-Za-z]{3}/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}
