// Test helpers for the stream translators: run bytes through a Transform in given pieces, and serve a
// translated stream over real HTTP for the official clients.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach } from 'vitest';

/** Writes `pieces` in order, ends, and answers everything the stream put out, as text. */
export async function runPieces(stream: Duplex, pieces: readonly (Buffer | string)[]): Promise<string> {
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const piece of pieces) stream.write(piece);
  stream.end();
  await finished;
  return Buffer.concat(out).toString('utf8');
}

/** The outputs of `text` split in two at every byte offset, and sent one byte at a time. */
export async function everySplit(text: string, make: () => Duplex): Promise<{ splits: string[]; bytewise: string }> {
  const bytes = Buffer.from(text, 'utf8');
  const splits: string[] = [];
  for (let at = 0; at <= bytes.length; at += 1) {
    splits.push(await runPieces(make(), [bytes.subarray(0, at), bytes.subarray(at)]));
  }
  const singles = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  return { splits, bytewise: await runPieces(make(), singles) };
}

/** Translators piped one into the next, as one stream: bytes go into the first, come out of the last. */
export function piped(first: Duplex, ...rest: Duplex[]): Duplex {
  let last = first;
  for (const next of rest) last = last.pipe(next);
  return Duplex.from({ writable: first, readable: last });
}

/** `event: <type>` + `data:` events, the way Anthropic writes them. */
export function anthropicEvents(events: readonly Record<string, unknown>[]): string {
  return events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

/**
 * `event: <type>` + `data:` events, the way OpenAI's Responses API writes them: each numbered in order
 * (`sequence_number`, last) from `first`.
 */
export function responsesEvents(events: readonly Record<string, unknown>[], first = 0): string {
  return events
    .map((e, i) => `event: ${String(e.type)}\ndata: ${JSON.stringify({ ...e, sequence_number: first + i })}\n\n`)
    .join('');
}

/** `data:` events, the way OpenAI and Gemini (`alt=sse`) write them. */
export function dataEvents(events: readonly unknown[], newline = '\n'): string {
  return events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}${newline}${newline}`).join('');
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/**
 * A server on 127.0.0.1 that answers every request with `upstream` piped through a fresh `make()`, as
 * an event stream, written in small pieces: what a client of the gateway would receive.
 */
export async function serveTranslated(upstream: string, make: () => Duplex): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const stream = make();
      stream.pipe(res);
      const bytes = Buffer.from(upstream, 'utf8');
      for (let at = 0; at < bytes.length; at += 7) stream.write(bytes.subarray(at, at + 7));
      stream.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
