import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { post, startGateway, testPolicy } from '../test/gateway.js';
import { chatChunks, hang, sse, startTestUpstream, USAGE } from '../test/upstream.js';

/** Reads the whole body, noting when each chunk arrived. Rejects when the stream breaks. */
async function readChunks(res: Response): Promise<{ text: string; times: number[] }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const times: number[] = [];
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, times };
    times.push(Date.now());
    text += decoder.decode(value, { stream: true });
  }
}

/** Resolves with 'closed', or 'open' if `closed` did not settle within `ms`. */
function within(closed: Promise<void>, ms: number): Promise<'closed' | 'open'> {
  return Promise.race([
    closed.then(() => 'closed' as const),
    new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms)),
  ]);
}

describe('dispatch() streaming', () => {
  it('should pass SSE events through as they arrive, never buffered', async () => {
    const events = chatChunks('gpt-test', ['One', 'two', 'three', 'four'], USAGE);
    const upstream = await startTestUpstream(sse(events, 120));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, {
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const { text, times } = await readChunks(res);

    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(text).toBe(events.join(''));
    // Six writes 120 ms apart: the first must reach the client long before the last was even sent.
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(450);
  });

  it('should record the usage of the final SSE chunk, even when it arrives split across writes', async () => {
    const [usageChunk, done] = chatChunks('gpt-test', [], USAGE);
    const splitAt = usageChunk!.indexOf('prompt_tokens') + 4;
    const writes = [...chatChunks('gpt-test', ['Hi'])]
      .slice(0, 1)
      .concat([usageChunk!.slice(0, splitAt), usageChunk!.slice(splitAt), done!]);
    const upstream = await startTestUpstream(sse(writes, 30));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, {
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect((await readChunks(res)).text).toBe(writes.join(''));

    const record = await gateway.lastRecord();
    expect(record.usage).toStrictEqual({ inputTokens: 11, outputTokens: 7, cachedInputTokens: 3 });
    expect(record.attempts).toMatchObject([{ status: 200, outcome: 'ok' }]);
  });

  it('should leave usage unset when the stream reports none or reports it malformed, and still pass it on', async () => {
    const writes = [...chatChunks('gpt-test', ['Hi']), 'data: {"choices":[],"usage":{"prompt_tokens":1,\n\n'];
    const upstream = await startTestUpstream(sse(writes, 10));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] });

    expect((await readChunks(res)).text).toBe(writes.join(''));
    const record = await gateway.lastRecord();
    expect(record.usage).toBeUndefined();
    expect(record.attempts).toMatchObject([{ outcome: 'ok' }]);
  });

  it('should end the client stream with an error event and no [DONE] when the upstream drops mid-stream', async () => {
    const sent = chatChunks('gpt-test', ['One', 'two']).slice(0, 2);
    const upstream = await startTestUpstream(sse(sent, 20, 'drop'));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(200);
    const { text } = await readChunks(res);
    expect(text).toBe(
      `${sent.join('')}\ndata: {"error":{"message":"The upstream closed the connection before the answer was complete.","type":"api_error","code":"stream_cut"}}\n\n`,
    );
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ status: 200, outcome: 'stream_cut', errorClass: 'upstream_dropped' }]);
    expect(record.error).toStrictEqual({ status: 200, type: 'api_error', code: 'stream_cut' });
  });

  it('should end the client stream with an error event when the upstream stalls mid-stream longer than timeoutMs', async () => {
    const upstream = await startTestUpstream(sse(chatChunks('gpt-test', ['One']).slice(0, 1), 10, 'hang'));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl), timeoutMs: 300 });

    const started = Date.now();
    const res = await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] });

    const { text } = await readChunks(res);
    expect(text).toMatch(
      /\ndata: \{"error":\{"message":"The upstream stopped sending before the answer was complete\.","type":"api_error","code":"stream_cut"\}\}\n\n$/,
    );
    expect(text).not.toContain('[DONE]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ outcome: 'stream_cut', errorClass: 'upstream_stalled' }]);
    expect(await within(upstream.requests[0]!.connectionClosed, 1000)).toBe('closed');
  });
});

describe('dispatch() when the client goes away', () => {
  it('should close the upstream connection at once when the client aborts before the answer', async () => {
    const upstream = await startTestUpstream(hang);
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    const abort = new AbortController();

    const response = post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }, { signal: abort.signal });
    const received = await upstream.nextRequest();
    expect(await within(received.connectionClosed, 100)).toBe('open');
    abort.abort();

    await expect(response).rejects.toThrow();
    expect(await within(received.connectionClosed, 1000)).toBe('closed');
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ outcome: 'client_aborted' }]);
    expect(record.attempts[0]!.endedAt).toBeTypeOf('number');
    expect(record.servedModel).toBeUndefined();
  });

  it('should close the upstream connection at once when the client aborts mid-stream', async () => {
    const upstream = await startTestUpstream(
      sse(
        chatChunks(
          'gpt-test',
          Array.from({ length: 100 }, (_, i) => `w${i}`),
        ),
        50,
      ),
    );
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const received = upstream.nextRequest();
    const client = httpRequest(`${gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    client.on('error', () => {});
    client.end(JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] }));
    await new Promise<void>((resolve) => client.on('response', (res) => res.once('data', () => resolve())));
    client.destroy();

    expect(await within((await received).connectionClosed, 1000)).toBe('closed');
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ status: 200, outcome: 'client_aborted' }]);
  });
});

describe('dispatch() connections', () => {
  it('should reuse one upstream connection for sequential requests', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    for (let i = 0; i < 4; i++) {
      const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
      expect(res.status).toBe(200);
      await res.text();
    }

    expect(upstream.requests).toHaveLength(4);
    expect(upstream.connections()).toBe(1);
  });

  it('should close its kept-alive upstream connections on close()', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    await (await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })).text();
    expect(await within(upstream.requests[0]!.connectionClosed, 100)).toBe('open');

    gateway.handler.close();

    expect(await within(upstream.requests[0]!.connectionClosed, 1000)).toBe('closed');
  });

  it('should let an answer in flight finish on close(), then close its connection', async () => {
    const events = chatChunks('gpt-test', ['One', 'two', 'three']);
    const upstream = await startTestUpstream(sse(events, 60));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    gateway.handler.close();

    expect((await readChunks(res)).text).toBe(events.join(''));
    expect(await within(upstream.requests[0]!.connectionClosed, 1000)).toBe('closed');
  });

  it('should not pile up listeners on a reused upstream connection', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const upstream = await startTestUpstream();
      const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
      for (let i = 0; i < 15; i++)
        await (await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })).text();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(upstream.connections()).toBe(1);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('should keep the upstream connection when a client asks to close its own', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/chat/completions`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', connection: 'close' },
        });
        req.on('response', (res) => res.resume().on('end', resolve));
        req.on('error', reject);
        req.end(body);
      });
    }

    expect(upstream.requests.map((r) => r.headers.connection)).toStrictEqual(['keep-alive', 'keep-alive']);
    expect(upstream.connections()).toBe(1);
  });
});
