// `switchyard check FILE [--json] [--require-env] [--plugin MODULE]...`: validates a policy without needing its secrets.
import { loadPolicy } from 'switchyard';
import { loadPlugins } from './plugins.js';
import { checkFailure, checkReport, summarize, warningLines } from './summary.js';

export interface CheckOptions {
  /** Signal plugin modules (`--plugin`), whose signals rules may read. */
  readonly plugins: readonly string[];
  /** `--json`: one JSON object on stdout, success or not. */
  readonly json: boolean;
  /** `--require-env`: an unset env var is a problem, as it is for `serve`. Default: listed, not a problem. */
  readonly requireEnv: boolean;
}

/**
 * Checks the policy's structure, references and CEL, and lists the env vars `serve` will need; the
 * contradictions it holds are warnings (on stderr, or `warnings` in --json) that do not fail it. Returns the
 * exit code. Without `--json` a rejected policy throws (the caller prints it); with it, the failure is printed
 * as JSON and the code is 1.
 */
export async function checkCommand(file: string, options: CheckOptions): Promise<number> {
  try {
    const plugins = await loadPlugins(options.plugins);
    const compiled = await loadPolicy(file, { plugins, secrets: options.requireEnv ? 'require' : 'defer' });
    if (options.json) {
      console.log(JSON.stringify(checkReport(file, compiled), null, 2));
      return 0;
    }
    console.log(summarize(file, compiled));
    // Diagnostics, as a compiler's: the summary on stdout keeps its shape.
    for (const line of warningLines(compiled)) console.error(line);
    return 0;
  } catch (err) {
    if (!options.json) throw err;
    console.log(JSON.stringify(checkFailure(file, err), null, 2));
    return 1;
  }
}
