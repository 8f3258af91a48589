// A 20 MB multipart upload passes through a gateway that does not hold it: the built CLI serves in its own
// process, and its peak resident memory (Linux VmHWM) grows by far less than the file while the upload streams
// through to the provider, which gets every byte.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentWav, startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KEY, providerEnv, providerKey, type PolicyContext } from './helpers/gateway.js';
import { ID_SECRET, mediaPolicy } from './helpers/media.js';
import { servedUrl } from './helpers/served-url.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const MB = 1024 * 1024;

let mock: MockProvider;
let child: ChildProcess | undefined;
let dir: string;
let url: string;

beforeAll(async () => {
  mock = await startMockProvider({
    port: 0,
    apiKeys: [providerKey('alpha')],
    recordCalls: true,
    uploadLimitBytes: 200 * 1024 * 1024,
  });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-upload-'));
  const ctx: PolicyContext = { url: () => mock.url, env: providerEnv, deadUrl: mock.url };
  const file = join(dir, 'policy.yaml');
  await writeFile(file, mediaPolicy(ctx));
  child = spawn(process.execPath, [CLI, 'serve', '--policy', file, '--port', '0'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      E2E_ID_SECRET: ID_SECRET,
      [providerEnv('alpha')]: providerKey('alpha'),
      [providerEnv('beta')]: providerKey('alpha'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await servedUrl(child);
}, 20_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Peak resident memory of `pid` so far, in bytes (Linux). */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** A transcription upload of a WAV with `bytes` of audio, `model` first, written in 64 KiB pieces of one buffer. */
function upload(bytes: number): Promise<{ status: number; body: string }> {
  const boundary = 'switchyard-upload-boundary';
  const header = silentWav(0.001);
  header.writeUInt32LE(36 + bytes, 4);
  header.writeUInt32LE(bytes, 40);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const piece = Buffer.alloc(64 * 1024);
  const length = head.length + 44 + bytes + tail.length;
  return new Promise((resolve, reject) => {
    const req = request(`${url}/audio/transcriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${CLIENT_KEY}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': length,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.write(head);
    req.write(header.subarray(0, 44));
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(piece.length, left);
        left -= n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

describe.runIf(process.platform === 'linux')('multipart uploads', () => {
  it('a 20 MB upload passes whole to the provider', async () => {
    const answer = await upload(20 * MB);
    expect(answer.status).toBe(200);
    expect(mock.calls.at(-1)!.upload!.files[0]!.bytes).toBe(20 * MB + 44);
  }, 60_000);

  it("the gateway's peak memory grows by far less than an upload: it streams through, never held", async () => {
    // Garbage socket buffers wait for a collection, which V8 runs about every 32 MB of them: that plateau is
    // all a streamed upload costs. 100 MB held would add 100 MB; the bound is half that.
    const before = await peakRss(child!.pid!);
    const answer = await upload(100 * MB);
    expect(answer.status).toBe(200);
    const grown = (await peakRss(child!.pid!)) - before;
    expect(mock.calls.at(-1)!.upload!.files[0]!.bytes).toBe(100 * MB + 44);
    expect(grown).toBeLessThan(50 * MB);
    console.log(`gateway peak RSS grew by ${(grown / MB).toFixed(1)} MB for a 100 MB upload`);
  }, 120_000);
});
