// The policy as `explain` and `test` load it: without its secrets (CI has none) and on an empty in-memory
// budget store (they never reach Redis: spend is 0 unless `given` says otherwise).
import { loadPolicy, MemoryStore, type CompiledPolicy } from 'switchyard';
import { loadPlugins } from './plugins.js';

export async function loadOfflinePolicy(file: string, pluginModules: readonly string[]): Promise<CompiledPolicy> {
  const plugins = await loadPlugins(pluginModules);
  return loadPolicy(file, { plugins, secrets: 'defer', budget: { store: new MemoryStore() } });
}
