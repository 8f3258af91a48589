// `npm start`'s demo (examples/demo/start.js) as a user runs it: it starts, prints the gateway URL,
// answers the openai client, and exits cleanly on SIGTERM. The only test that may start the demo:
// its mock providers use the fixed ports 4101 and 4102.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const URL_LINE = /switchyard gateway on (http:\/\/127\.0\.0\.1:(\d+)\/v1)/;

let child: ChildProcess | undefined;
let output = '';

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

function waitForUrl(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no gateway URL after ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = URL_LINE.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited early (code ${code}, signal ${signal}); output:\n${output}`));
    });
  });
}

describe('npm start demo', () => {
  it('starts, answers a chat completion for "smart", and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['examples/demo/start.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const baseURL = await waitForUrl(child, 15_000);
    expect(Number(URL_LINE.exec(output)![2])).toBeGreaterThan(0);

    const client = new OpenAI({ baseURL, apiKey: 'sk-demo-client', maxRetries: 0, timeout: 5_000 });
    const { data, response } = await client.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'Hello!' }] })
      .withResponse();
    expect(response.status).toBe(200);
    const served = response.headers.get('x-switchyard-served-model');
    expect(served).toBeTruthy();
    expect(data.model).toBe(served);
    expect(response.headers.get('x-switchyard-route')).toBe('smart/default');
    expect(data.choices[0]!.message.content).toMatch(/\S/);

    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
