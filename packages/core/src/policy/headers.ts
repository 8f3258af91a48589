// Client request headers that never reach a provider, whatever a policy says: they carry a credential or
// choose who the provider bills.

/** Never forwarded, by exact name. */
export const NEVER_FORWARDED: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'openai-organization',
  'openai-project',
  'x-goog-user-project',
  'anthropic-organization',
]);

/** Whether `header` (a name, or a prefix ending in `*`) would let such a header through. */
export function isNeverForwarded(header: string): boolean {
  if (!header.endsWith('*')) return NEVER_FORWARDED.has(header);
  const prefix = header.slice(0, -1);
  for (const name of NEVER_FORWARDED) if (name.startsWith(prefix)) return true;
  return false;
}
