// YAML text -> validated Policy. A policy that is wrong never loads: PolicyError lists every problem.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicyError, type PolicyProblem } from './policy-error.js';
import { policySchema, type PolicyDocument } from './schema.js';
import { createLineCounter, PolicySource } from './source.js';
import type { Policy } from './types.js';
import { buildPolicy } from './validate.js';

export interface LoadPolicyOptions {
  /** Where credential env vars are read. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses and validates policy YAML. `file` names the source in errors. Throws PolicyError. */
export function parsePolicy(text: string, file: string, options: LoadPolicyOptions = {}): Policy {
  const lines = createLineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        return { file, line: pos.line, column: pos.col, message: `YAML: ${firstLine(e.message)}` };
      }),
    );
  }
  const source = new PolicySource(file, doc, lines);
  const parsed = policySchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw new PolicyError(parsed.error.issues.flatMap((i) => schemaProblems(i, source)));
  return buildPolicy(parsed.data as PolicyDocument, source, options.env ?? process.env);
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
  return [{ file: source.file, ...source.locate(path), message: `${where}${issue.message}` }];
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
