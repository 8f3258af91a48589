// signalCatalog(): every signal one policy load knows, checked and built once.
import { PolicyError, type Policy, type PolicyPath, type PolicyProblem, type SignalType } from '@switchyard/core';
import { builtinSignals } from './builtins.js';
import { localClock } from './clock.js';
import { declaredSignal } from './declared.js';
import { defineSignal, pluginSignal } from './define-signal.js';
import type { SignalDef } from './internal-types.js';
import { jsonPathProblem } from './jsonpath.js';
import { isBuiltinSignal } from './names.js';
import type { SignalCatalog, SignalCatalogOptions } from './types.js';

/** What the middleware needs of a catalog; kept off the public object. */
export interface CatalogInternals {
  readonly defs: ReadonlyMap<string, SignalDef>;
  readonly now: () => Date;
}

const internals = new WeakMap<SignalCatalog, CatalogInternals>();

/**
 * Builds the signals of one policy load: the built-ins (time signals in `policy.timezone`), the policy's
 * `signals:` and `options.plugins`. Build it once per load and share it; it holds no per-request state.
 * @throws PolicyError (with file and line) when a declared signal reuses a built-in's name or its `from:`
 *   JSONPath does not parse.
 * @throws TypeError when a plugin is invalid, two plugins share a name, or a plugin reuses the name of a
 *   built-in or declared signal.
 */
export function signalCatalog(policy: Policy, options: SignalCatalogOptions = {}): SignalCatalog {
  const defs = new Map<string, SignalDef>();
  for (const def of builtinSignals(localClock(policy.timezone))) defs.set(def.name, def);

  const problems: PolicyProblem[] = [];
  const problem = (path: PolicyPath, message: string, at: { key?: string; offset?: number } = {}) =>
    problems.push({ file: policy.source.file, ...policy.source.locate(path, at), message });
  for (const declared of policy.signals.values()) {
    const { name, from } = declared;
    if (isBuiltinSignal(name)) {
      problem(['signals'], `signal "${name}" has the name of a built-in signal; choose another name`, { key: name });
      continue;
    }
    if (from.kind === 'jsonpath') {
      const bad = jsonPathProblem(from.path);
      if (bad) {
        problem(
          ['signals', name, 'from'],
          `signal "${name}": JSONPath ${JSON.stringify(from.path)} does not parse: ${bad.message}`,
          {
            offset: bad.offset,
          },
        );
        continue;
      }
    }
    defs.set(name, declaredSignal(declared));
  }
  if (problems.length > 0) throw new PolicyError(problems);

  for (const candidate of options.plugins ?? []) {
    const plugin = defineSignal(candidate);
    const { name } = plugin;
    if (isBuiltinSignal(name)) throw new TypeError(`signalCatalog: plugin "${name}" has the name of a built-in signal`);
    if (policy.signals.has(name)) {
      throw new TypeError(
        `signalCatalog: plugin "${name}" has the name of a signal declared in the policy (${where(policy, name)})`,
      );
    }
    if (defs.has(name)) throw new TypeError(`signalCatalog: two plugins are named "${name}"`);
    defs.set(name, pluginSignal(plugin));
  }

  const types = new Map<string, SignalType>();
  for (const def of defs.values()) types.set(def.name, def.type);
  const catalog: SignalCatalog = Object.freeze({ types });
  internals.set(catalog, { defs, now: options.now ?? (() => new Date()) });
  return catalog;
}

/** The catalog's internals, or a TypeError for an object that `signalCatalog()` did not build. */
export function catalogInternals(catalog: SignalCatalog): CatalogInternals {
  const found = internals.get(catalog);
  if (!found) throw new TypeError('signals: options.catalog must be built by signalCatalog(policy)');
  return found;
}

function where(policy: Policy, name: string): string {
  const { line, column } = policy.source.locate(['signals'], { key: name });
  return `${policy.source.file}:${line}:${column}`;
}
