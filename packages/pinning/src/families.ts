// Family shortcuts: names that point at whatever a vendor currently calls its newest model. Data only.

/**
 * Model family names and undated vendor aliases that this gateway refuses, lowercase. A request for one of
 * them (in any case, with or without a trailing `-latest`) gets a 404 listing the exact IDs it may use,
 * because the model behind such a name changes without notice. A policy that names one of these as a
 * route or a model ID serves it: the policy always wins.
 */
export const FAMILY_SHORTCUTS: ReadonlySet<string> = new Set([
  // OpenAI
  'gpt',
  'chatgpt',
  'gpt-3.5',
  'gpt-3.5-turbo',
  'gpt-4',
  'gpt-4-turbo',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'o1',
  'o1-mini',
  'o1-pro',
  'o3',
  'o3-mini',
  'o3-pro',
  'o4-mini',
  // Anthropic
  'claude',
  'claude-2',
  'claude-3',
  'claude-3-5',
  'claude-3.5',
  'claude-3-7',
  'claude-3.7',
  'claude-4',
  'claude-opus',
  'claude-sonnet',
  'claude-haiku',
  'claude-3-opus',
  'claude-3-sonnet',
  'claude-3-haiku',
  'claude-3-5-sonnet',
  'claude-3-5-haiku',
  'claude-3-7-sonnet',
  'claude-opus-4',
  'claude-sonnet-4',
  'claude-opus-4-1',
  'claude-sonnet-4-5',
  'claude-haiku-4-5',
  'claude-opus-4-5',
  // Google
  'gemini',
  'gemini-pro',
  'gemini-flash',
  'gemini-flash-lite',
  'gemini-1.5',
  'gemini-1.5-pro',
  'gemini-1.5-flash',
  'gemini-2',
  'gemini-2.0',
  'gemini-2.5',
  'gemini-3',
  // Open-weight families
  'llama',
  'llama2',
  'llama3',
  'llama-2',
  'llama-3',
  'llama-3.1',
  'llama-3.2',
  'llama-3.3',
  'llama-4',
  'mistral',
  'mistral-large',
  'mistral-medium',
  'mistral-small',
  'mixtral',
  'codestral',
  'deepseek',
  'qwen',
  'grok',
  'command',
  'command-r',
]);

const LATEST = '-latest';

/** The family a requested name is a shortcut for (lowercase, `-latest` stripped), or `undefined`. */
export function familyShortcut(requested: string): string | undefined {
  let name = requested.toLowerCase();
  if (name.endsWith(LATEST)) name = name.slice(0, -LATEST.length);
  return FAMILY_SHORTCUTS.has(name) ? name : undefined;
}
