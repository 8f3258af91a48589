// A policy that does not validate: every problem, each with file, line and cause.

export interface PolicyProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** What is wrong, e.g. `rule "schema" uses model "gpt-5" that is not in models`. */
  readonly message: string;
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(readonly problems: readonly PolicyProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(problem: PolicyProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
