import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { GatewayIds, type RoutingRecord, Secret } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import type { AttemptAnswered } from './forward-attempt.js';
import { withStreamedGatewayId } from './stream-ids.js';

const ids = new GatewayIds(new Secret('s'.repeat(40)));
const STREAM =
  'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_abc123","status":"in_progress"}}\n\n' +
  'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"msg_1","delta":"hi"}\n\n' +
  'event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_abc123","status":"completed"}}\n\n';

async function run(pieces: Buffer[]): Promise<{ text: string; record: RoutingRecord }> {
  const response = Object.assign(Readable.from(pieces, { objectMode: false }), { statusCode: 200, headers: {}, complete: true });
  const record = { owner: 'o' } as RoutingRecord;
  const answered = { kind: 'answered', response: response as unknown as IncomingMessage } as AttemptAnswered;
  const out = withStreamedGatewayId(answered, ids, record, { provider: 'p', model: 'm' });
  const chunks: Buffer[] = [];
  for await (const chunk of out.response as AsyncIterable<Buffer>) chunks.push(chunk);
  return { text: Buffer.concat(chunks).toString(), record };
}

describe('withStreamedGatewayId', () => {
  it('replaces every occurrence of the response ID, wherever the chunks split it', async () => {
    const bytes = Buffer.from(STREAM);
    const wrapped = (await run([bytes])).text;
    expect(wrapped).not.toContain('resp_abc123');
    const id = /"id":"([^"]+)"/.exec(wrapped)![1]!;
    expect(ids.unwrap(id)).toMatchObject({ id: 'resp_abc123', provider: 'p', model: 'm', owner: 'o' });
    expect(wrapped.split(id)).toHaveLength(3);
    for (let at = 1; at < bytes.length; at += 3) {
      const { text, record } = await run([bytes.subarray(0, at), bytes.subarray(at)]);
      expect(text).toBe(wrapped);
      expect(record.task?.id).toBe(id);
    }
  });
});
