// Target: the mock upstream (OpenAI shape) from @switchyard/mock-provider, in its own process.
// It is both a measured target ("upstream, direct") and the upstream of every other target.
import { startMockProvider } from '@switchyard/mock-provider';
import { runTarget } from '../lib/child.js';

const chunks = Number(process.env.MOCK_STREAM_CHUNKS ?? 8);
const chunkIntervalMs = Number(process.env.MOCK_STREAM_INTERVAL_MS ?? 2);

await runTarget('mock', async () => {
  const mock = await startMockProvider({
    port: 0,
    apiKeys: ['sk-bench'],
    recordCalls: false, // memory stays flat over a long run
    // Streams only: several deltas spaced in time, so a buffering proxy would show TTFB ≈ total time.
    script: { '*': { chunks, chunkIntervalMs } },
  });
  return { url: mock.url, close: () => mock.close() };
});
