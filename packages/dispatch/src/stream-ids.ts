// A streamed Responses answer with its ID handed out as a gateway ID: the first `"id":"…"` of the stream (the
// response's own, in `response.created`) is wrapped, and every later occurrence of it replaced, chunk by chunk.
// Only a tail that could begin the ID is held back between chunks, so events are not delayed.
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { GatewayIds, RoutingRecord } from '@switchyard/core';
import type { AttemptAnswered } from './forward-attempt.js';

/** How far into the stream the response's ID is looked for; past it the stream passes unchanged. */
const SEARCH_LIMIT = 64 * 1024;
const FIRST_ID = /"id"\s*:\s*"([^"\\]{1,512})"/;

export function withStreamedGatewayId(
  answered: AttemptAnswered,
  ids: GatewayIds,
  record: RoutingRecord,
  minter: { readonly provider: string; readonly model: string; readonly route?: string },
): AttemptAnswered {
  const upstream = answered.response;
  const status = upstream.statusCode ?? 0;
  if (status < 200 || status > 299) return answered;
  let from: Buffer | undefined;
  let to: Buffer | undefined;
  let searched = 0;
  let held: Buffer = Buffer.alloc(0);
  let giveUp = false;

  const rewrite = (data: Buffer, final: boolean): Buffer => {
    if (!from || !to) return data;
    const parts: Buffer[] = [];
    let pos = 0;
    for (let at = data.indexOf(from); at !== -1; at = data.indexOf(from, pos)) {
      parts.push(data.subarray(pos, at), to);
      pos = at + from.length;
    }
    const tail = final ? 0 : prefixAtEnd(data, from, pos);
    parts.push(data.subarray(pos, data.length - tail));
    held = tail > 0 ? Buffer.from(data.subarray(data.length - tail)) : Buffer.alloc(0);
    return Buffer.concat(parts);
  };

  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      held = Buffer.alloc(0);
      if (!from && !giveUp) {
        const found = FIRST_ID.exec(data.toString('latin1'));
        if (found) {
          from = Buffer.from(found[1]!, 'latin1');
          const id = ids.wrap({ kind: 'resp', id: found[1]!, owner: record.owner, ...minter });
          to = Buffer.from(id);
          record.task ??= { id, action: 'create', ...minter };
        } else {
          searched += chunk.length;
          if (searched < SEARCH_LIMIT) {
            held = data;
            return done();
          }
          giveUp = true;
        }
      }
      done(null, rewrite(data, false));
    },
    flush(done: TransformCallback) {
      done(null, held.length > 0 ? (from ? rewrite(held, true) : held) : undefined);
    },
  });
  upstream.pipe(transform);
  const response = Object.assign(transform, {
    statusCode: upstream.statusCode,
    statusMessage: upstream.statusMessage,
    headers: upstream.headers,
    complete: false,
  });
  transform.once('end', () => (response.complete = true));
  upstream.once('close', () => {
    if (!upstream.complete) transform.destroy();
  });
  return { ...answered, response: response as unknown as IncomingMessage };
}

/** How many bytes at the end of `data` (from `start`) could be the beginning of `needle`. */
function prefixAtEnd(data: Buffer, needle: Buffer, start: number): number {
  const most = Math.min(needle.length - 1, data.length - start);
  for (let n = most; n > 0; n--) {
    if (data.subarray(data.length - n).equals(needle.subarray(0, n))) return n;
  }
  return 0;
}
