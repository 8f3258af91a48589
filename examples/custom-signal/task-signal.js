// A plugin signal: labels the request's task as "code", "extract" or "chat" from its last user message.
import { defineSignal } from 'switchyard';

const CODE = /```|\b(function|class|def|const|import|stack trace|exception|compile|refactor|regex|sql|bug)\b/i;
const EXTRACT = /\b(extract|parse|fields?|json|table|invoice|classify|label)\b/i;

export const taskSignal = defineSignal({
  name: 'task',
  type: 'string',
  timeoutMs: 20,
  extract(req) {
    const text = lastUserText(req.body?.messages);
    if (text === undefined) return undefined; // absent: rules reading `task` do not match
    if (CODE.test(text)) return 'code';
    if (EXTRACT.test(text)) return 'extract';
    return 'chat';
  },
});

function lastUserText(messages) {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content))
      return m.content
        .filter((p) => p?.type === 'text')
        .map((p) => p.text)
        .join('\n');
  }
  return undefined;
}
