// YAML text -> validated Policy. A policy that is wrong never loads: PolicyError lists every problem.
import { readFile } from 'node:fs/promises';
import { parseDocument, visit, type Alias, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { PolicyError, type PolicyProblem } from './policy-error.js';
import { policySchema, type PolicyDocument } from './schema.js';
import { createLineCounter, PolicySource } from './source.js';
import type { Policy, SecretsMode } from './types.js';
import { buildPolicy } from './validate.js';

export interface LoadPolicyOptions {
  /** Where credential env vars are read. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * `'require'` (default): a secret's env var that is unset is a problem, and the policy does not load; what
   * a gateway about to serve needs. `'defer'`: it is not, for checking a policy where its secrets are not
   * (CI); such a secret throws on `reveal()`. Either way `policy.requiredEnv` lists every variable the policy reads.
   */
  readonly secrets?: SecretsMode;
  /**
   * Further checks on the built policy (e.g. compiling its rules), run even when cross-reference
   * problems were found so that one error lists them all. Throw a PolicyError to reject.
   */
  readonly check?: (policy: Policy) => void;
}

/** Parses and validates policy YAML. `file` names the source in errors. Throws PolicyError. */
export function parsePolicy(text: string, file: string, options: LoadPolicyOptions = {}): Policy {
  const lines = createLineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      doc.errors.map((e) => {
        // `linePos` is only filled in with `prettyErrors`; `pos` is always there.
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, column: col, message: `YAML: ${firstLine(e.message)}` };
      }),
    );
  }
  const source = new PolicySource(file, doc, lines, text);
  const parsed = policySchema.safeParse(toJS(doc, file, lines) ?? {});
  if (!parsed.success) throw new PolicyError(parsed.error.issues.flatMap((i) => schemaProblems(i, source)));
  const { policy, problems } = buildPolicy(
    parsed.data as PolicyDocument,
    source,
    options.env ?? process.env,
    options.secrets ?? 'require',
  );
  try {
    options.check?.(policy);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw new PolicyError(problems.sort((a, b) => a.line - b.line || a.column - b.column));
  return policy;
}

/** Reads and validates a policy file. Throws PolicyError, or an Error when the file cannot be read. */
export async function loadPolicyFile(path: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read policy file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parsePolicy(text, path, options);
}

function schemaProblems(issue: z.core.$ZodIssue, source: PolicySource): PolicyProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      file: source.file,
      ...source.locate(path, { key }),
      message: `${where}unknown key "${key}"`,
    }));
  }
  if (issue.code === 'invalid_key' && path.length > 0) {
    // A record key that is not allowed (e.g. a signal name): point at the key, say why.
    const parent = path.slice(0, -1);
    const key = String(path[path.length - 1]);
    const why = issue.issues[0]?.message ?? issue.message;
    const at = parent.length > 0 ? `${parent.join('.')}: ` : '';
    return [{ file: source.file, ...source.locate(parent, { key }), message: `${at}key "${key}": ${why}` }];
  }
  return [{ file: source.file, ...source.locate(path), message: `${where}${issue.message}` }];
}

/** The document as plain data; an alias that cannot be resolved is a PolicyError at the alias. */
function toJS(doc: Document, file: string, lines: LineCounter): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    // An alias to an anchor that is not defined before it, or aliases expanding past the safety limit.
    let alias: Alias | undefined;
    visit(doc, {
      Alias(_, node) {
        alias ??= node;
        if (node.resolve(doc)) return undefined;
        alias = node;
        return visit.BREAK;
      },
    });
    const { line, col } = alias?.range ? lines.linePos(alias.range[0]) : { line: 1, col: 1 };
    throw new PolicyError([{ file, line, column: col, message: `YAML: ${err.message}` }]);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
