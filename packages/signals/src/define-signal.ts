// defineSignal(): a custom signal, checked when it is defined, and how its extractor runs per request.
import { SIGNAL_TYPES, type SignalReading, type SignalType } from '@switchyard/core';
import type { SignalDef } from './internal-types.js';
import { absent, checked, messageOf } from './readings.js';
import type { SignalPlugin, SignalPluginDefinition } from './types.js';

/** How long an async plugin may take, unless it says otherwise. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 50;

const SIGNAL_NAME = /^[a-z][a-z0-9_]*$/;
// setTimeout's ceiling; anything longer would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Defines a custom signal that rules may read once it is passed to `signals({ plugins })` (or
 * `signalCatalog({ plugins })`). `extract({ body, headers, request, req, record })` returns the value, or `undefined` when the request does not carry it, sync or
 * as a Promise. It runs only when a rule about to run reads the signal, at most once per request.
 * A plugin never fails the request: if it throws, rejects, takes longer than `timeoutMs` (default 50 ms)
 * or returns a value of the wrong type, its signal is `absent` and the reading says why.
 * @throws TypeError when the name is not lower_snake_case, the type is unknown or `timeoutMs` is not a positive number.
 */
export function defineSignal<T extends SignalType>(definition: SignalPluginDefinition<T>): SignalPlugin<T> {
  const { name, type, extract, timeoutMs = DEFAULT_PLUGIN_TIMEOUT_MS } = definition ?? ({} as SignalPluginDefinition<T>);
  if (typeof name !== 'string' || !SIGNAL_NAME.test(name)) {
    throw new TypeError(`defineSignal: name ${JSON.stringify(name)} must be lower_snake_case, e.g. "user_tier"`);
  }
  if (!SIGNAL_TYPES.includes(type)) {
    throw new TypeError(
      `defineSignal: signal "${name}" has type ${JSON.stringify(type)}; expected one of ${SIGNAL_TYPES.join(', ')}`,
    );
  }
  if (typeof extract !== 'function') {
    throw new TypeError(`defineSignal: signal "${name}" needs an extract({ body, headers, req, record }) function`);
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMEOUT_MS) {
    throw new TypeError(
      `defineSignal: signal "${name}" has timeoutMs ${String(timeoutMs)}; expected a positive number of milliseconds`,
    );
  }
  const plugin = Object.freeze({ name, type, extract, timeoutMs });
  defined.add(plugin);
  return plugin;
}

const defined = new WeakSet<object>();

/** Whether `value` was made by defineSignal() (how the CLI finds plugins among a module's exports). */
export function isSignalPlugin(value: unknown): value is SignalPlugin {
  return typeof value === 'object' && value !== null && defined.has(value);
}

/** The catalog entry for a plugin: its extractor guarded against throwing, hanging and wrong types. */
export function pluginSignal(plugin: SignalPlugin): SignalDef {
  const { name, type, extract, timeoutMs } = plugin;
  const timedOut = absent(`timed out after ${timeoutMs} ms`);
  const toReading = (v: unknown): SignalReading => (v === undefined ? NO_VALUE : checked(type, v));
  const threw = (err: unknown): SignalReading => absent(`plugin threw: ${messageOf(err)}`);
  return {
    name,
    type,
    compute: ({ req, record, request }) => {
      let out: unknown;
      try {
        out = extract({ body: request.body, headers: req.headers, request, req, record });
      } catch (err) {
        return threw(err);
      }
      if (!isThenable(out)) return toReading(out);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<SignalReading>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, timedOut);
      });
      // The race subscribes to `out`, so a rejection after the timeout is handled, not left unhandled.
      const settled = Promise.resolve(out).then(toReading, threw);
      return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
    },
  };
}

const NO_VALUE = absent('plugin returned no value');

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}
