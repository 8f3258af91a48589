// A worker thread that counts the tokens of large prompts, so that tokenizing megabytes of text never
// holds up the event loop that serves every other request. One worker, created on first use, unref'd.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// Runs as the worker's own script (eval), so that it works from the sources and from the build alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const asPlainText = { disallowedSpecial: new Set() };
const counting = import(workerData.tokenizer);
parentPort.on('message', async ({ id, texts }) => {
  try {
    const { countTokens } = await counting;
    let tokens = 0;
    for (const text of texts) if (text.length > 0) tokens += countTokens(text, asPlainText);
    parentPort.postMessage({ id, tokens });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

interface Pending {
  readonly resolve: (tokens: number) => void;
  readonly reject: (err: Error) => void;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/** The sum of the o200k token counts of `texts`, counted in the worker thread. */
export function countOffLoop(texts: readonly string[]): Promise<number> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    const thread = tokenWorker();
    // Only while a count is pending does the worker keep the process alive.
    thread.ref();
    thread.postMessage({ id, texts });
  });
}

function tokenWorker(): Worker {
  if (worker) return worker;
  const thread = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { tokenizer: tokenizerUrl() },
  });
  thread.on('message', (message: { id: number; tokens?: number; error?: string }) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (pending.size === 0) thread.unref();
    if (message.error !== undefined) waiting.reject(new Error(message.error));
    else waiting.resolve(message.tokens ?? 0);
  });
  // A worker that dies fails what it held; the next count starts a new one.
  const fail = (err: Error) => {
    if (worker === thread) worker = undefined;
    for (const waiting of pending.values()) waiting.reject(err);
    pending.clear();
  };
  thread.on('error', fail);
  thread.on('exit', (code) => fail(new Error(`token worker exited (${code})`)));
  thread.unref();
  worker = thread;
  return thread;
}

/** Where this package's tokenizer module is, for the worker to import (it does not resolve from here). */
function tokenizerUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('gpt-tokenizer/encoding/o200k_base')).href;
}
