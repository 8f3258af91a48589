// `switchyard check FILE [--json] [--require-env] [--plugin MODULE]...`: validates a policy without needing its secrets.
import { loadPolicy } from 'switchyard';
import { loadPlugins } from './plugins.js';
import { checkFailure, checkReport, summarize } from './summary.js';

export interface CheckOptions {
  /** Signal plugin modules (`--plugin`), whose signals rules may read. */
  readonly plugins: readonly string[];
  /** `--json`: one JSON object on stdout, success or not. */
  readonly json: boolean;
  /** `--require-env`: an unset env var is a problem, as it is for `serve`. Default: listed, not a problem. */
  readonly requireEnv: boolean;
}

/**
 * Checks the policy's structure, references and CEL, and lists the env vars `serve` will need and the
 * contradictions it holds (warnings: they do not fail the check). Returns the
 * exit code. Without `--json` a rejected policy throws (the caller prints it); with it, the failure is printed
 * as JSON and the code is 1.
 */
export async function checkCommand(file: string, options: CheckOptions): Promise<number> {
  try {
    const plugins = await loadPlugins(options.plugins);
    const compiled = await loadPolicy(file, { plugins, secrets: options.requireEnv ? 'require' : 'defer' });
    console.log(options.json ? JSON.stringify(checkReport(file, compiled), null, 2) : summarize(file, compiled));
    return 0;
  } catch (err) {
    if (!options.json) throw err;
    console.log(JSON.stringify(checkFailure(file, err), null, 2));
    return 1;
  }
}
