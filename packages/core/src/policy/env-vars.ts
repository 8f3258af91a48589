// The env vars a policy reads its secrets from: each read once at load, and listed for `policy.requiredEnv`.
import { Secret } from './secret.js';
import type { PolicyPath } from './source.js';
import type { RequiredEnvVar, SecretsMode } from './types.js';

type Problem = (path: PolicyPath, message: string) => void;

export class PolicyEnv {
  readonly #uses = new Map<string, { usedBy: string[]; set: boolean }>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly mode: SecretsMode,
    private readonly problem: Problem,
  ) {}

  /**
   * The secret held by env var `name`, which the policy names at `path` (its `env:` node); `what` says whose it is
   * in the problem, e.g. `credential`. An unset (or empty) variable is a problem when secrets are required, and a
   * Secret that throws on `reveal()` either way. `derive` turns the value into what is kept, e.g. its digest.
   */
  secret(path: PolicyPath, name: string, what: string, derive: (value: string) => string = (v) => v): Secret {
    const usedBy = usedByOf(path);
    const value = this.env[name];
    const use = this.#uses.get(name);
    if (use) use.usedBy.push(usedBy);
    else this.#uses.set(name, { usedBy: [usedBy], set: Boolean(value) });
    if (value) return new Secret(derive(value));
    if (this.mode === 'require') this.problem(path, `${what} env var ${name} is not set`);
    return Secret.unset(name, usedBy);
  }

  /** Every variable read so far, in the order the policy first names them. Names only, never values. */
  required(): RequiredEnvVar[] {
    return [...this.#uses].map(([name, { usedBy, set }]) => ({ name, usedBy, set }));
  }
}

/** `['providers', 'openai', 'credentials', 0, 'env']` → `providers.openai.credentials[0]`. */
function usedByOf(path: PolicyPath): string {
  const segments = path.at(-1) === 'env' ? path.slice(0, -1) : path;
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
