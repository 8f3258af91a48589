// Loads signal plugins from modules named on the command line (`--plugin ./task-signal.js`).
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSignalPlugin, type SignalPlugin } from '@switchyard/signals';

/** Every SignalPlugin a module exports (default export: one plugin or an array; named exports too). */
export async function loadPlugins(specifiers: readonly string[]): Promise<SignalPlugin[]> {
  const plugins: SignalPlugin[] = [];
  for (const specifier of specifiers) {
    const url = specifier.startsWith('.') || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
    const mod = (await import(url)) as Record<string, unknown>;
    const found = Object.values(mod)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter(isSignalPlugin);
    if (found.length === 0) throw new Error(`--plugin ${specifier}: the module exports no signal made with defineSignal()`);
    plugins.push(...new Set(found));
  }
  return plugins;
}
