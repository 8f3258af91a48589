// A Gemini history as `@google/genai`'s `chats` keeps it: a streamed answer is one model turn per chunk.
// Translated for an OpenAI-format provider, consecutive model turns become one assistant message.
import { describe, expect, it } from 'vitest';
import { toChatRequestFromGemini } from './request.js';

const translate = (contents: unknown[]) => toChatRequestFromGemini({ contents }, { model: 'gpt-4o', stream: false }).messages;

describe('Gemini model turns in a row', () => {
  it('should join the texts of streamed chunks into one assistant message', () => {
    expect(
      translate([
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hel' }] },
        { role: 'model', parts: [{ text: 'lo.' }] },
        { role: 'user', parts: [{ text: 'And?' }] },
      ]),
    ).toStrictEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'And?' },
    ]);
  });

  it('should put calls split across turns on one assistant message, answered by the tool messages after it', () => {
    const messages = translate([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      { role: 'model', parts: [{ text: 'Checking.' }] },
      { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }] },
      { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Rome' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { temp: 20 } } },
          { functionResponse: { name: 'weather', response: { temp: 25 } } },
        ],
      },
    ]) as { role: string; content: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(messages.map((m) => m.role)).toStrictEqual(['user', 'assistant', 'tool', 'tool']);
    const [, assistant, first, second] = messages;
    expect(assistant!.content).toBe('Checking.');
    expect(assistant!.tool_calls).toHaveLength(2);
    expect([first!.tool_call_id, second!.tool_call_id]).toStrictEqual(assistant!.tool_calls!.map((call) => call.id));
  });

  it('should keep a call-only turn followed by text as one message with both', () => {
    const messages = translate([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
      { role: 'model', parts: [{ text: 'Done.' }] },
    ]) as { role: string; content: unknown; tool_calls?: unknown[] }[];
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ role: 'assistant', content: 'Done.' });
    expect(messages[1]!.tool_calls).toHaveLength(1);
  });
});
