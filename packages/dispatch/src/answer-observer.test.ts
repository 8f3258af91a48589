import { describe, expect, it } from 'vitest';
import { usageIn } from '@switchyard/formats';
import { answerObserver, OBSERVED_LIMIT as USAGE_TAP_LIMIT } from './answer-observer.js';

/** The observer as a usage tap: chunks in, usage out. */
interface UsageTap {
  write(chunk: Buffer): void;
  end(): unknown;
  readonly events: number;
}

function usageTap(contentType: string | undefined): UsageTap | undefined {
  const observer = answerObserver({ contentType, format: 'openai' });
  if (!observer) return undefined;
  return {
    write: (chunk) => void observer.write(chunk),
    end: () => {
      observer.end();
      return observer.usage;
    },
    get events() {
      return observer.events;
    },
  };
}

/** The observer hiding the usage chunk the gateway asked for: chunks in, what the client gets out. */
class UsageChunkFilter {
  readonly #observer = answerObserver({ contentType: 'text/event-stream', format: 'openai', hideUsageChunk: true })!;
  push(chunk: Buffer): Buffer {
    return this.#observer.write(chunk);
  }
  end(): Buffer {
    return this.#observer.end();
  }
}

function feed(tap: UsageTap | undefined, ...chunks: Array<string | Buffer>) {
  if (!tap) throw new Error('test: no tap');
  for (const chunk of chunks) tap.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return tap.end();
}

const CHAT_USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100 },
};
const EXPECTED = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 };

describe('answerObserver() reading usage of JSON bodies', () => {
  const body = JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-test', choices: [], usage: CHAT_USAGE });

  it('should read usage from a body that arrives in pieces', () => {
    expect(
      feed(usageTap('application/json; charset=utf-8'), body.slice(0, 17), body.slice(17, 60), body.slice(60)),
    ).toStrictEqual(EXPECTED);
  });

  it('should leave cached tokens out when the upstream does not report them', () => {
    const plain = JSON.stringify({ usage: { prompt_tokens: 5, completion_tokens: 1 } });
    expect(feed(usageTap('application/json'), plain)).toStrictEqual({ inputTokens: 5, outputTokens: 1 });
  });

  it('should count an embeddings answer, which has no completion tokens, as zero output', () => {
    const embeddings = JSON.stringify({ object: 'list', data: [], usage: { prompt_tokens: 8, total_tokens: 8 } });
    expect(feed(usageTap('application/json'), embeddings)).toStrictEqual({ inputTokens: 8, outputTokens: 0 });
  });

  it('should read the Responses API usage shape', () => {
    const response = JSON.stringify({
      object: 'response',
      usage: { input_tokens: 9, output_tokens: 4, input_tokens_details: { cached_tokens: 2 } },
    });
    expect(feed(usageTap('application/json'), response)).toStrictEqual({ inputTokens: 9, outputTokens: 4, cachedInputTokens: 2 });
  });

  it.each([
    ['truncated JSON', body.slice(0, -2)],
    ['no usage', JSON.stringify({ id: 'x', choices: [] })],
    ['usage of the wrong types', JSON.stringify({ usage: { prompt_tokens: '12', completion_tokens: 3 } })],
    ['negative counts', JSON.stringify({ usage: { prompt_tokens: -1, completion_tokens: 3 } })],
  ])('should report no usage for %s', (_case, text) => {
    expect(feed(usageTap('application/json'), text)).toBeUndefined();
  });

  it('should read usage at the end of a body larger than the cap, keeping only its end', () => {
    const data = JSON.stringify({ object: 'list', data: [{ embedding: Array.from({ length: 200_000 }, (_, i) => i / 7) }] });
    const big = `${data.slice(0, -1)},"usage":${JSON.stringify(CHAT_USAGE)}}`;
    expect(big.length).toBeGreaterThan(2 * USAGE_TAP_LIMIT);
    const bytes = Buffer.from(big);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    expect(feed(usageTap('application/json'), ...chunks)).toStrictEqual(EXPECTED);
  });

  it('should not take text the model wrote for usage', () => {
    const fake = 'Here: "usage": {"prompt_tokens": 999, "completion_tokens": 999}';
    const message = { role: 'assistant', content: fake };
    expect(feed(usageTap('application/json'), JSON.stringify({ choices: [{ message }] }))).toBeUndefined();
    expect(feed(usageTap('application/json'), JSON.stringify({ choices: [{ message }], usage: CHAT_USAGE }))).toStrictEqual(
      EXPECTED,
    );
    expect(feed(usageTap('application/json'), JSON.stringify({ usage: CHAT_USAGE, choices: [{ message }] }))).toStrictEqual(
      EXPECTED,
    );
  });
});

describe('answerObserver() reading usage of event streams', () => {
  const stream = [
    `data: ${JSON.stringify({ choices: [{ delta: { content: 'Hé' } }], usage: null })}\n\n`,
    `data: ${JSON.stringify({ choices: [{ delta: { content: 'llo' } }], usage: null })}\n\n`,
    `data: ${JSON.stringify({ choices: [], usage: CHAT_USAGE })}\n\n`,
    'data: [DONE]\n\n',
  ].join('');

  it('should read the usage chunk wherever the stream is split', () => {
    const bytes = Buffer.from(stream);
    for (let at = 1; at < bytes.length; at++) {
      expect(feed(usageTap('text/event-stream'), bytes.subarray(0, at), bytes.subarray(at)), `split at ${at}`).toStrictEqual(
        EXPECTED,
      );
    }
  });

  it('should read it from a stream that arrives byte by byte, with CRLF line ends', () => {
    const bytes = Buffer.from(stream.replaceAll('\n', '\r\n'));
    const chunks = Array.from(bytes, (byte) => Buffer.from([byte]));
    expect(feed(usageTap('text/event-stream; charset=utf-8'), ...chunks)).toStrictEqual(EXPECTED);
  });

  it('should read a usage line the stream ends on without a newline', () => {
    expect(feed(usageTap('text/event-stream'), `data: ${JSON.stringify({ usage: CHAT_USAGE })}`)).toStrictEqual(EXPECTED);
  });

  it('should keep the last usage a stream reports, since it is the total', () => {
    const line = (n: number) => `data: ${JSON.stringify({ usage: { prompt_tokens: n, completion_tokens: n } })}\n\n`;
    expect(feed(usageTap('text/event-stream'), line(1), line(2) + line(3))).toStrictEqual({ inputTokens: 3, outputTokens: 3 });
  });

  it('should read usage nested in a Responses API completion event', () => {
    const event = `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { usage: { input_tokens: 4, output_tokens: 2 } } })}\n\n`;
    expect(feed(usageTap('text/event-stream'), event)).toStrictEqual({ inputTokens: 4, outputTokens: 2 });
  });

  it('should ignore usage outside data lines and in malformed data lines', () => {
    const usage = JSON.stringify({ usage: CHAT_USAGE });
    const cut = `{"usage":{"prompt_tokens":5,"completion_tokens":`;
    expect(
      feed(usageTap('text/event-stream'), `: ${usage}\n\nevent: ${usage}\n\ndata: ${cut}\n\ndata: [DONE]\n\n`),
    ).toBeUndefined();
  });

  it('should skip a line longer than the cap, and read the lines around it', () => {
    const before = `data: ${JSON.stringify({ usage: { prompt_tokens: 1, completion_tokens: 2 } })}\n\n`;
    const long = `data: {"usage":${JSON.stringify(CHAT_USAGE)},"pad":"${'x'.repeat(USAGE_TAP_LIMIT)}"}`;
    const tap = usageTap('text/event-stream');
    expect(feed(tap, before, long.slice(0, 1000), long.slice(1000), '\n\ndata: [DONE]\n\n')).toStrictEqual({
      inputTokens: 1,
      outputTokens: 2,
    });
    const after = usageTap('text/event-stream');
    expect(feed(after, long.slice(0, 1000), long.slice(1000), `\n\n${before}`)).toStrictEqual({
      inputTokens: 1,
      outputTokens: 2,
    });
  });
});

describe('answerObserver() reading usage of other bodies', () => {
  it.each([['text/plain'], ['application/octet-stream'], [undefined]])('should not tap %s', (type) => {
    expect(usageTap(type)).toBeUndefined();
  });
});

describe('usageIn()', () => {
  it.each([
    ['usage that is not an object', '{"usage":[1,2]}'],
    ['a usage key without a value', '{"usage"}'],
    ['usage cut short', '{"usage":{"prompt_tokens":1,"completion_tokens":2'],
    ['no usage key', '{"prompt_tokens":1}'],
  ])('should find nothing in %s', (_case, text) => {
    expect(usageIn(Buffer.from(text))).toBeUndefined();
  });

  it('should read usage with whitespace around the colon and braces in strings', () => {
    const text = '{"usage" :\n {"prompt_tokens": 2, "completion_tokens": 1, "note": "a } and a \\" inside"}}';
    expect(usageIn(Buffer.from(text))).toStrictEqual({ inputTokens: 2, outputTokens: 1 });
  });
});

describe('usage shapes', () => {
  it('should read Anthropic usage, counting cache reads and writes as input and reads as cached', () => {
    const body = JSON.stringify({
      type: 'message',
      usage: { input_tokens: 20, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 50 },
    });
    expect(usageIn(Buffer.from(body))).toStrictEqual({
      inputTokens: 1120,
      outputTokens: 50,
      cachedInputTokens: 1000,
      cacheCreationInputTokens: 100,
    });
  });

  it('should merge an Anthropic stream: input in message_start, the output total in message_delta', () => {
    const start = {
      type: 'message_start',
      message: { usage: { input_tokens: 25, cache_read_input_tokens: 5, output_tokens: 1 } },
    };
    const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 15 } };
    const stream = `event: message_start\ndata: ${JSON.stringify(start)}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta"}\n\nevent: message_delta\ndata: ${JSON.stringify(delta)}\n\n`;
    expect(feed(usageTap('text/event-stream'), stream)).toStrictEqual({
      inputTokens: 30,
      outputTokens: 15,
      cachedInputTokens: 5,
    });
  });

  it('should not take an output-only report for usage when nothing reported input before it', () => {
    expect(feed(usageTap('text/event-stream'), `data: ${JSON.stringify({ usage: { output_tokens: 15 } })}\n\n`)).toBeUndefined();
  });
});

describe('answerObserver().events', () => {
  it('should count the data events a stream delivered, and none for JSON', () => {
    const tap = usageTap('text/event-stream')!;
    feed(tap, 'data: {"a":1}\n\ndata: {"a":2}\n', '\ndata: [DONE]\n\n');
    expect(tap.events).toBe(3);
    expect(usageTap('application/json')!.events).toBe(0);
  });
});

describe('answerObserver() hiding the usage chunk', () => {
  const usageChunk = `data: ${JSON.stringify({ id: 'c', choices: [], usage: CHAT_USAGE })}\n\n`;
  const content = `data: ${JSON.stringify({ id: 'c', choices: [{ delta: { content: 'prompt_tokens "usage"' } }], usage: null })}\n\n`;
  const pass = (...chunks: string[]) => {
    const filter = new UsageChunkFilter();
    return Buffer.concat([...chunks.map((c) => filter.push(Buffer.from(c))), filter.end()]).toString();
  };

  it('should drop the usage-only chunk and its blank line, wherever the stream is split', () => {
    const stream = `${content}${usageChunk}data: [DONE]\n\n`;
    for (let at = 0; at <= stream.length; at++) {
      expect(pass(stream.slice(0, at), stream.slice(at)), `split at ${at}`).toBe(`${content}data: [DONE]\n\n`);
    }
  });

  it('should pass a chunk untouched, without copying it, when it holds no usage', () => {
    const filter = new UsageChunkFilter();
    const chunk = Buffer.from('data: {"choices":[{"delta":{}}]}\n\n');
    expect(filter.push(chunk)).toBe(chunk);
  });

  it('should hold back only an incomplete line, and let a line longer than the cap through', () => {
    const filter = new UsageChunkFilter();
    expect(filter.push(Buffer.from('data: {"a":1}\n\ndata: {"b"')).toString()).toBe('data: {"a":1}\n\n');
    const long = Buffer.from(`data: "${'x'.repeat(USAGE_TAP_LIMIT)}`);
    expect(filter.push(long).length).toBe(long.length + 'data: {"b"'.length);
  });
});
