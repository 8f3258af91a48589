// switchyardGateway(file): the stack of a policy file that reloads when the file changes, atomically: a
// request finishes on the version it started on, the next one gets the new version, and a policy that does
// not validate never replaces a good one.
import type { TracerProvider } from '@opentelemetry/api';
import type { BudgetLedgerOptions } from '@switchyard/budget';
import { PolicyError, routing } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { compileBytes, readPolicyBytes, type CompiledPolicy, type LoadOptions } from './compile.js';
import { PolicyWatcher, type WatchOptions } from './policy-watch.js';
import type { PolicyStatus, RejectedReload } from './policy-status.js';
import { reloadLog, reloadSpan, type ReloadResult, type ReloadTrigger } from './reload-report.js';
import { buildStack, type PolicyStack, type SwitchyardOptions } from './stack.js';
import { sameStore, StoreKeeper, type StoreHandle } from './store-keeper.js';
import { policyVersion } from './version.js';

export interface GatewayOptions extends SwitchyardOptions, Omit<LoadOptions, 'version'> {
  /**
   * Reload when the file's content changes: written in place, replaced by a rename, or swapped behind a
   * symlink (a Kubernetes ConfigMap). `true` for the default debounce and polling. Default: `false` (only
   * `reload()` reloads).
   */
  readonly watch?: boolean | WatchOptions;
  /**
   * Told of every reload attempt, applied or rejected. Default: a line on stdout for an applied one, every
   * problem on stderr for a rejected one.
   */
  readonly onReload?: (result: ReloadResult) => void;
  /** Where the `switchyard.policy.reload` spans go. Default: the global tracer provider. */
  readonly tracerProvider?: TracerProvider;
}

/**
 * The stack of the policy version being served, as one Express handler: mount it like `switchyard()`'s router.
 * Whatever survives a reload does: budget spend and reservations (the same store, a Redis connection
 * included), cooldowns of pairs still in the policy and connection pools of providers that did not move.
 */
export interface Gateway extends RequestHandler {
  /** The policy version being served. */
  readonly current: CompiledPolicy;
  /**
   * Reads the file again and, when it holds a new valid policy, serves it from the next request on. Never
   * rejects: a policy that does not validate is reported (`onReload`, a span, `status().last_error`) and the
   * version being served stays.
   */
  reload(trigger?: ReloadTrigger): Promise<ReloadResult>;
  /** What `GET /v1/switchyard/policy` answers. */
  status(): PolicyStatus;
  /** Stops watching, lets the calls in flight finish, then closes the budget store and the audit log. */
  close(): Promise<void>;
}

/**
 * Loads `file` and serves it; with `watch`, reloads it when it changes. Throws PolicyError (file:line:column)
 * when the file does not hold a valid policy at start: a gateway never starts on a broken policy.
 *
 * ```js
 * const gateway = await switchyardGateway('policy.yaml', { watch: true });
 * app.use('/v1', gateway);
 * process.on('SIGHUP', () => void gateway.reload('signal'));
 * ```
 */
export async function switchyardGateway(file: string, options: GatewayOptions = {}): Promise<Gateway> {
  const live = new LiveGateway(file, options);
  await live.start();
  return live.gateway();
}

/** One policy version while it serves, and until the calls it started are over. */
class Version {
  readonly stack: PolicyStack;
  readonly handle: StoreHandle;
  readonly loadedAt = new Date().toISOString();
  #inFlight = 0;
  #retired = false;
  #drained!: () => void;
  readonly drained = new Promise<void>((resolve) => (this.#drained = resolve));

  constructor(stack: PolicyStack, handle: StoreHandle) {
    this.stack = stack;
    this.handle = handle;
  }

  get compiled(): CompiledPolicy {
    return this.stack.compiled;
  }

  /** A call starts on this version; it counts until its record is settled (budget settled, audit written). */
  enter: RequestHandler = (req, res, next) => {
    this.#inFlight += 1;
    // After the settle hooks and audit's own reaction to `settled`, which writes the log line.
    void routing(req, res).settled.then(() => setImmediate(() => this.#leave()));
    this.stack.router(req, res, next);
  };

  /** Serves no new calls; `drained` resolves once the calls it started are over. */
  retire(): void {
    this.#retired = true;
    this.stack.dispatcher.close();
    if (this.#inFlight === 0) this.#drained();
  }

  #leave(): void {
    this.#inFlight -= 1;
    if (this.#retired && this.#inFlight === 0) this.#drained();
  }
}

class LiveGateway {
  readonly #file: string;
  readonly #options: GatewayOptions;
  readonly #keeper: StoreKeeper;
  readonly #retiring = new Set<Promise<void>>();
  #current: Version | undefined;
  #lastError: RejectedReload | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #watcher: PolicyWatcher | undefined;
  #closing: Promise<void> | undefined;

  constructor(file: string, options: GatewayOptions) {
    this.#file = file;
    this.#options = options;
    this.#keeper = new StoreKeeper(options.budget?.store);
  }

  async start(): Promise<void> {
    const bytes = await readPolicyBytes(this.#file);
    this.#adopt(this.#build(bytes, undefined));
    const { watch } = this.#options;
    if (!watch) return;
    this.#watcher = new PolicyWatcher(
      this.#file,
      this.#served.compiled.version,
      {
        onChange: (changed) => void this.#enqueue(() => this.#apply(changed, 'watch')),
        onError: (err) => void this.#enqueue(() => this.#rejected(err, null, 'watch')),
      },
      watch === true ? {} : watch,
    );
  }

  gateway(): Gateway {
    const handler: RequestHandler = (req, res, next) => this.#served.enter(req, res, next);
    return Object.defineProperties(handler, {
      current: { get: () => this.#served.compiled, enumerable: true },
      reload: { value: (trigger: ReloadTrigger = 'api') => this.#reload(trigger) },
      status: { value: () => this.#status() },
      close: { value: () => this.#close() },
    }) as Gateway;
  }

  get #served(): Version {
    if (!this.#current) throw new Error('switchyard: the gateway has not started');
    return this.#current;
  }

  #status(): PolicyStatus {
    const served = this.#served;
    return { version: served.compiled.version, loaded_at: served.loadedAt, source: this.#file, last_error: this.#lastError };
  }

  #reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    return this.#enqueue(async () => {
      let bytes: Buffer;
      try {
        bytes = await readPolicyBytes(this.#file);
      } catch (err) {
        return this.#rejected(err, null, trigger);
      }
      this.#watcher?.saw(policyVersion(bytes));
      return this.#apply(bytes, trigger);
    });
  }

  /** Reloads run one at a time, in the order they were asked for; each is reported. */
  #enqueue(task: () => Promise<ReloadResult> | ReloadResult): Promise<ReloadResult> {
    const run = this.#queue.then(task).then((result) => {
      try {
        this.#report(result);
      } catch (err) {
        // Whoever listens for reloads must not make one fail, nor stop the next.
        console.error('switchyard: onReload threw', err);
      }
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #apply(bytes: Buffer, trigger: ReloadTrigger): ReloadResult {
    const previous = this.#served;
    const previousVersion = previous.compiled.version;
    const version = policyVersion(bytes);
    if (this.#closing) return this.#rejected(new Error('switchyard: the gateway is closed'), version, trigger);
    if (version === previousVersion) {
      this.#lastError = null;
      return { ok: true, version, previousVersion, changed: false, trigger };
    }
    let next: Version;
    try {
      next = this.#build(bytes, previous.stack);
    } catch (err) {
      return this.#rejected(err, version, trigger);
    }
    // The swap: from here on new calls get the new version; the calls in flight keep the one they started on.
    this.#adopt(next);
    this.#retire(previous);
    this.#lastError = null;
    return { ok: true, version, previousVersion, changed: true, trigger };
  }

  #rejected(err: unknown, version: string | null, trigger: ReloadTrigger): ReloadResult {
    const problems = err instanceof PolicyError ? err.problems : [];
    const message = err instanceof Error ? err.message : String(err);
    this.#lastError = { at: new Date().toISOString(), version, message, problems };
    return { ok: false, version, previousVersion: this.#served.compiled.version, message, problems, trigger };
  }

  /** Compiles the bytes and builds their stack; the ledger gets the store its config names (the current one, if the same). */
  #build(bytes: Buffer, previous: PolicyStack | undefined): Version {
    const { now, budget: { store: _given, ...ledger } = {} } = this.#options;
    const ledgerOptions: BudgetLedgerOptions = { now: now && (() => now().getTime()), ...ledger };
    let handle: StoreHandle | undefined;
    const counting = this.#current?.compiled.limits;
    const compiled = compileBytes(
      bytes,
      this.#file,
      // First-token figures are this instance's measurements, not the policy's: they carry over.
      { ...this.#options, firstToken: previous?.compiled.firstToken ?? this.#options.firstToken },
      (policy) => ({ ...ledgerOptions, store: (handle = this.#keeper.handleFor(policy, ledgerOptions)) }),
      // Rate counters carry over while the store config stays: a reload gives no client a fresh minute.
      (policy) =>
        counting && sameStore(counting.policy, policy) ? { ...this.#options.limits, store: counting.store } : undefined,
    );
    const stack = buildStack(compiled, this.#options, { previous, status: () => this.#status() });
    return new Version(stack, handle!);
  }

  #adopt(version: Version): void {
    this.#keeper.adopt(version.handle);
    this.#current = version;
  }

  /** Once its calls are over: its audit log closed, its ledger's settlements landed, its store released. */
  #retire(version: Version): void {
    version.retire();
    const done = version.drained.then(async () => {
      version.stack.audit.close();
      await version.compiled.budget.shutdown();
      if (version.compiled.limits.store !== this.#current?.compiled.limits.store) await version.compiled.limits.shutdown();
      await this.#keeper.release(version.handle);
    });
    this.#retiring.add(done);
    void done.finally(() => this.#retiring.delete(done));
  }

  #report(result: ReloadResult): void {
    const { onReload, tracerProvider } = this.#options;
    reloadSpan(tracerProvider, this.#file, result);
    if (onReload) {
      onReload(result);
      return;
    }
    const { stream, text } = reloadLog(this.#file, result);
    (stream === 'stdout' ? console.log : console.error)(text);
  }

  #close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#watcher?.close();
      await this.#queue;
      if (this.#current) this.#retire(this.#current);
      while (this.#retiring.size > 0) await Promise.all(this.#retiring);
      await this.#keeper.close();
    })();
    return this.#closing;
  }
}
