import { Agent, request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { startMockProvider } from './index.js';
import { chatBody, postChat } from '../test/utils.js';

function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)),
  ]);
}

function get(agent: Agent, url: string): Promise<{ reused: boolean; status: number | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ reused: req.reusedSocket, status: res.statusCode }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startMockProvider', () => {
  it('should listen on 127.0.0.1 with an ephemeral port and expose the /v1 URL and the origin', async () => {
    const mock = await startMockProvider();
    try {
      expect(mock.port).toBeGreaterThan(0);
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}/v1`);
      expect(mock.origin).toBe(`http://127.0.0.1:${mock.port}`);
    } finally {
      await mock.close();
    }
  });

  it('should close quickly while a request hangs and a stream is in flight', async () => {
    const mock = await startMockProvider({ script: { hanging: { hang: true }, slow: { chunkIntervalMs: 10_000 } } });
    const hanging = postChat(mock, chatBody({ model: 'hanging' }));
    const slow = await postChat(mock, chatBody({ model: 'slow', stream: true }));
    const slowText = slow.text();
    await vi.waitFor(() => expect(mock.calls).toHaveLength(2));

    await withinMs(mock.close(), 1_000);
    await expect(hanging).rejects.toThrow();
    await expect(slowText).rejects.toThrow();
    expect(mock.calls.map((call) => call.outcome)).toEqual(['aborted', 'aborted']);
    await expect(mock.close()).resolves.toBeUndefined();
  });

  it('should keep connections alive between requests', async () => {
    const mock = await startMockProvider();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, `${mock.url}/models`);
      const second = await get(agent, `${mock.url}/models`);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.reused).toBe(true);
    } finally {
      agent.destroy();
      await mock.close();
    }
  });

  it('should record each call with its request and outcome', async () => {
    const mock = await startMockProvider();
    try {
      const before = Date.now();
      await (await postChat(mock, chatBody({ stream: true }), { headers: { 'X-Trace': 'abc' } })).text();
      const [call] = mock.calls;
      expect(call).toMatchObject({
        model: 'gpt-4o-mini',
        path: '/v1/chat/completions',
        method: 'POST',
        body: chatBody({ stream: true }),
        stream: true,
        status: 200,
        outcome: 'completed',
      });
      expect(call?.headers['x-trace']).toBe('abc');
      expect(call?.startedAt).toBeGreaterThanOrEqual(before);
      expect(call?.endedAt).toBeGreaterThanOrEqual(call!.startedAt);
    } finally {
      await mock.close();
    }
  });

  it('should record nothing when recordCalls is false', async () => {
    const mock = await startMockProvider({ recordCalls: false });
    try {
      expect((await postChat(mock, chatBody())).status).toBe(200);
      expect(mock.calls).toHaveLength(0);
    } finally {
      await mock.close();
    }
  });

  it('should reject when the port is taken', async () => {
    const first = await startMockProvider();
    try {
      await expect(startMockProvider({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
