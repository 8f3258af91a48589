// The URL a `switchyard serve` child prints once it listens, read from its output.
import type { ChildProcess } from 'node:child_process';

const LISTENING = /(http:\/\/127\.0\.0\.1:\d+\/v1)/;

/**
 * Resolves with the `/v1` URL `child` prints on stdout; rejects, with everything it printed, when it exits
 * first or prints none within `timeoutMs`.
 */
export function servedUrl(child: ChildProcess, timeoutMs = 10_000): Promise<string> {
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = LISTENING.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard serve exited early (code ${code}); output:\n${output}`));
    });
  });
}
