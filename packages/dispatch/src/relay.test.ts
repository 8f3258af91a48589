// Usage on OpenAI streams: the gateway asks for it on the client's behalf and hides what it asked for.
import { describe, expect, it } from 'vitest';
import { post, startGateway, testPolicy } from '../test/gateway.js';
import { chatChunks, sse, startTestUpstream, USAGE } from '../test/upstream.js';

const HIDDEN = 'data: [DONE]\n\n';

describe('relayResponse() and usage on streams', () => {
  it('should ask for usage on a stream whose client did not, record it, and not pass the usage chunk on', async () => {
    const events = chatChunks('gpt-test', ['One', 'two'], USAGE);
    const upstream = await startTestUpstream(sse(events, 5));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const raw = '{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"Hi"}]}';
    const res = await post(gateway, raw);
    const text = await res.text();

    const sent = upstream.requests[0]!.body.toString();
    expect(JSON.parse(sent)).toStrictEqual({ ...JSON.parse(raw), stream_options: { include_usage: true } });
    expect(text).toBe(`${events[0]}${events[1]}${HIDDEN}`);
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 11, outputTokens: 7, cachedInputTokens: 3 });
  });

  it('should forward the bytes untouched and pass the usage chunk on when the client asked for it', async () => {
    const events = chatChunks('gpt-test', ['One'], USAGE);
    const upstream = await startTestUpstream(sse(events, 5));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const raw =
      '{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}';
    const text = await (await post(gateway, raw)).text();

    expect(upstream.requests[0]!.body.toString()).toBe(raw);
    expect(text).toBe(events.join(''));
  });

  it("should keep the client's other stream options and turn its include_usage: false on upstream only", async () => {
    const events = chatChunks('gpt-test', ['One'], USAGE);
    const upstream = await startTestUpstream(sse(events, 5));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const text = await (
      await post(gateway, {
        model: 'gpt-test',
        stream: true,
        stream_options: { include_usage: false, extra: 1 },
        messages: [{ role: 'user', content: 'Hi' }],
      })
    ).text();

    expect(JSON.parse(upstream.requests[0]!.body.toString()).stream_options).toStrictEqual({ include_usage: true, extra: 1 });
    expect(text).toBe(`${events[0]}${HIDDEN}`);
  });

  it('should hide the usage chunk wherever the upstream splits it, with CRLF line ends too', async () => {
    for (const crlf of [false, true]) {
      const events = chatChunks('gpt-test', ['One'], USAGE).map((e) => (crlf ? e.replaceAll('\n', '\r\n') : e));
      const whole = events.join('');
      const usageAt = whole.indexOf('"choices":[]');
      const writes = [whole.slice(0, usageAt - 3), whole.slice(usageAt - 3, usageAt + 40), whole.slice(usageAt + 40)];
      const upstream = await startTestUpstream(sse(writes, 5));
      const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

      const text = await (
        await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
      ).text();

      expect(text).toBe(events[0]! + events[2]!);
      expect((await gateway.lastRecord()).usage).toMatchObject({ inputTokens: 11 });
    }
  });

  it('should pass on a final chunk that carries both choices and usage, and leave non-stream bodies alone', async () => {
    const mixed = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {} }], usage: USAGE })}\n\n`;
    const upstream = await startTestUpstream(sse([mixed, HIDDEN], 5));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    expect(
      await (await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] })).text(),
    ).toBe(mixed + HIDDEN);

    const plain = '{"model":"gpt-test","messages":[{"role":"user","content":"Hi"}]}';
    const json = await startTestUpstream();
    const other = await startGateway({ policy: testPolicy(json.baseUrl) });
    await (await post(other, plain)).text();
    expect(json.requests[0]!.body.toString()).toBe(plain);
  });
});
