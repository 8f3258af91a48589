import { describe, expect, it } from 'vitest';
import { SseEventTooLarge, SseParser } from './sse.js';

function parse(pieces: (string | Buffer)[]): unknown[] {
  const parser = new SseParser();
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()];
}

describe('SseParser', () => {
  it('should read event names, join multi-line data with \\n, and ignore comments, id and retry', () => {
    const text = ': keep-alive\nevent: ping\nid: 7\nretry: 100\ndata: {"a":\ndata:1}\n\ndata:no space\n\n';
    expect(parse([text])).toStrictEqual([{ event: 'ping', data: '{"a":\n1}' }, { data: 'no space' }]);
  });

  it('should not dispatch an event without data, and reset the event name after each event', () => {
    expect(parse(['event: lonely\n\ndata: x\n\n'])).toStrictEqual([{ data: 'x' }]);
  });

  it('should accept LF, CRLF and CR line endings, a CRLF split between two chunks included', () => {
    expect(parse(['data: a\r', '\n\r', '\ndata: b\r\rdata: c\n\n'])).toStrictEqual([{ data: 'a' }, { data: 'b' }, { data: 'c' }]);
    // A CRLF split after its CR is one line end, not two: the event goes on.
    expect(parse(['event: x\r', '\ndata: a\r', '\ndata: b\r\n\r\n'])).toStrictEqual([{ event: 'x', data: 'a\nb' }]);
  });

  it('should decode a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('data: 🎉\n\n');
    expect(parse([bytes.subarray(0, 8), bytes.subarray(8)])).toStrictEqual([{ data: '🎉' }]);
  });

  it('should hand over the last event at the end even when the final blank line is missing', () => {
    expect(parse(['data: [DONE]'])).toStrictEqual([{ data: '[DONE]' }]);
    expect(parse(['data: [DONE]\n'])).toStrictEqual([{ data: '[DONE]' }]);
  });

  it('should refuse an event that grows past the limit while it is held back', () => {
    const parser = new SseParser(16);
    expect(() => parser.push('data: 0123456789abcdef')).toThrow(SseEventTooLarge);
    expect(new SseParser(16).push(`data: ${'x'.repeat(40)}\n\n`)).toHaveLength(1); // complete events are never held
  });
});
