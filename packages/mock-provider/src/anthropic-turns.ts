import { checkBlock, toolUseIds } from './anthropic-blocks.js';
import { isRecord } from './guards.js';

const SYSTEM_ROLE =
  'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, ' +
  'not "system" as an input message role.';
const EMPTY = 'all messages must have non-empty content except for the optional final assistant message';

/**
 * The message of the 400 the Messages API sends for `messages`, or `undefined` when the turns are valid:
 * user first, roles alternating, non-empty content, valid blocks, and every `tool_use` answered by a
 * `tool_result` in the next turn (and no `tool_result` without its `tool_use`).
 *
 * The live API now merges consecutive same-role turns; the mock refuses them, as the API long did, so a
 * translator that forgets to merge is caught here.
 */
export function checkTurns(messages: unknown): string | undefined {
  if (messages === undefined) return 'messages: Field required';
  if (!Array.isArray(messages)) return 'messages: Input should be a valid list';
  if (messages.length === 0) return 'messages: at least one message is required';

  let previous: 'user' | 'assistant' | undefined;
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message)) return `messages.${i}: Input should be a valid dictionary`;
    const role = message.role;
    if (role === undefined) return `messages.${i}.role: Field required`;
    if (role === 'system') return SYSTEM_ROLE;
    if (role !== 'user' && role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (previous === undefined && role !== 'user') return 'messages: first message must use the "user" role';
    if (role === previous) {
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`;
    }
    previous = role;

    const problem = checkContent(message.content, role, i, i === messages.length - 1);
    if (problem) return problem;
  }
  return checkToolPairs(messages as ReadonlyArray<Record<string, unknown>>);
}

function checkContent(content: unknown, role: 'user' | 'assistant', i: number, last: boolean): string | undefined {
  if (content === undefined) return `messages.${i}.content: Field required`;
  const finalAssistant = last && role === 'assistant';
  if (typeof content === 'string') {
    if (content.length === 0 && !finalAssistant) return `messages.${i}: ${EMPTY}`;
    if (finalAssistant && content.length > 0 && /\s$/.test(content)) {
      return 'messages: final assistant content cannot end with trailing whitespace';
    }
    return undefined;
  }
  if (!Array.isArray(content)) return `messages.${i}.content: Input should be a valid list`;
  if (content.length === 0 && !finalAssistant) return `messages.${i}: ${EMPTY}`;
  for (const [j, block] of content.entries()) {
    const problem = checkBlock(block, role, `messages.${i}.content.${j}`);
    if (problem) return problem;
  }
  const tail = content.at(-1);
  if (finalAssistant && isRecord(tail) && tail.type === 'text' && typeof tail.text === 'string' && /\s$/.test(tail.text)) {
    return 'messages: final assistant content cannot end with trailing whitespace';
  }
  return undefined;
}

function checkToolPairs(messages: ReadonlyArray<Record<string, unknown>>): string | undefined {
  for (const [i, message] of messages.entries()) {
    const next = messages[i + 1];
    if (message.role === 'assistant' && next) {
      const answered = new Set(toolResultIds(next.content).map(([, id]) => id));
      const missing = toolUseIds(message.content).filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return (
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
          `${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
        );
      }
    }
    if (message.role === 'user') {
      const asked = new Set(i > 0 ? toolUseIds(messages[i - 1]!.content) : []);
      const stray = toolResultIds(message.content).find(([, id]) => !asked.has(id));
      if (stray) {
        return (
          `messages.${i}.content.${stray[0]}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray[1]}. ` +
          'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.'
        );
      }
    }
  }
  return undefined;
}

function toolResultIds(content: unknown): Array<[number, string]> {
  if (!Array.isArray(content)) return [];
  return content.flatMap(
    (block, j): Array<[number, string]> =>
      isRecord(block) && block.type === 'tool_result' && typeof block.tool_use_id === 'string' ? [[j, block.tool_use_id]] : [],
  );
}
