// `switchyard explain --policy FILE --request REQUEST.json [--path P] [--header 'K: V']... [--key KEY]
// [--given name=value]... [--json]`: what the gateway would do with a request, without calling any provider.
import { readFile } from 'node:fs/promises';
import { explainRequest, ExplainInputError, givenPairs } from 'switchyard';
import { explanationText } from './explain-text.js';
import { loadOfflinePolicy } from './offline-policy.js';

export interface ExplainCommandOptions {
  /** `--request`: a file holding the request body as JSON, or `-` for stdin. */
  readonly request: string;
  /** `--path`: where it is sent, below /v1. Default: /chat/completions. */
  readonly path?: string;
  /** `--header 'K: V'`, repeatable. */
  readonly headers: readonly string[];
  readonly key?: string;
  /** `--given name=value`, repeatable. */
  readonly given: readonly string[];
  readonly json: boolean;
  readonly plugins: readonly string[];
}

/** Prints the explanation; returns 0, or 2 for a usage error (a bad header, an unknown signal). Throws PolicyError. */
export async function explainCommand(file: string, options: ExplainCommandOptions): Promise<number> {
  let headers: Record<string, string>;
  let given: Record<string, string>;
  try {
    headers = headerPairs(options.headers);
    given = givenPairs(options.given);
  } catch (err) {
    return usage(err);
  }
  const body = await requestBytes(options.request);
  const compiled = await loadOfflinePolicy(file, options.plugins);
  try {
    const explanation = await explainRequest(compiled, { body, path: options.path, headers, key: options.key, given });
    console.log(options.json ? JSON.stringify(explanation, null, 2) : explanationText(explanation));
    return 0;
  } catch (err) {
    if (err instanceof ExplainInputError) return usage(err);
    throw err;
  } finally {
    await compiled.budget.shutdown();
  }
}

/** `["X-User-Tier: gold"]` → `{ "X-User-Tier": "gold" }`. */
function headerPairs(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf(':');
    if (at <= 0) throw new ExplainInputError(`--header ${pair}: write it as 'Name: value'`);
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return headers;
}

async function requestBytes(path: string): Promise<Buffer> {
  if (path !== '-') {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`cannot read request file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function usage(err: unknown): number {
  console.error(`switchyard explain: ${(err as Error).message}`);
  return 2;
}
