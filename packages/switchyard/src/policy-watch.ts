// Watches a policy file for new content, the ways files really change: written in place, replaced by a
// rename (an editor's save), or swapped behind a symlink chain (a Kubernetes ConfigMap's `..data`).
import { type FSWatcher, type Stats, unwatchFile, watch, watchFile } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { policyVersion } from './version.js';

export interface WatchOptions {
  /** Quiet time after the last file event before the file is read: an editor's save is several events. Default: 100 ms. */
  readonly debounceMs?: number;
  /**
   * How often the file is also polled (its `stat`, through symlinks), for file systems whose events do not
   * arrive (network mounts, some container volumes). Default: 1000 ms; 0 turns polling off.
   */
  readonly pollMs?: number;
}

/** What the watcher reports. */
export interface WatchEvents {
  /** The file's content differs from the last content seen. */
  onChange(bytes: Buffer): void;
  /** The file could not be read (it stays watched). Reported once per failure, not per event. */
  onError(err: Error): void;
}

const DEFAULT_DEBOUNCE_MS = 100;
const DEFAULT_POLL_MS = 1000;

/**
 * Watches the file's directory (and, through symlinks, its target's) with `fs.watch`, and polls it with
 * `fs.watchFile` as a fallback; any sign of change schedules one read after a quiet time, and only content
 * whose hash differs from the last seen is reported. Never keeps the process alive.
 */
export class PolicyWatcher {
  readonly #path: string;
  readonly #events: WatchEvents;
  readonly #debounceMs: number;
  readonly #pollMs: number;
  readonly #dirs = new Map<string, FSWatcher>();
  /** Names in a watched directory whose change may change the file's content. */
  readonly #names = new Set<string>();
  #seen: string;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #closed = false;

  /** @param version the version of the content already loaded: the same content is no change. */
  constructor(path: string, version: string, events: WatchEvents, options: WatchOptions = {}) {
    this.#path = resolve(path);
    this.#seen = version;
    this.#events = events;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    if (this.#pollMs > 0) {
      watchFile(this.#path, { interval: this.#pollMs, persistent: false }, (now: Stats, before: Stats) => {
        if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.#schedule();
      });
    }
    void this.#watchDirectories();
  }

  /** The content seen last is now `version` (a reload read the file itself). */
  saw(version: string): void {
    this.#seen = version;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#pollMs > 0) unwatchFile(this.#path);
    for (const watcher of this.#dirs.values()) watcher.close();
    this.#dirs.clear();
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), this.#debounceMs).unref();
  }

  async #check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return;
    }
    this.#checking = this.#read().finally(() => (this.#checking = undefined));
    await this.#checking;
    if (this.#again && !this.#closed) {
      this.#again = false;
      this.#schedule();
    }
  }

  async #read(): Promise<void> {
    // A symlink may now point elsewhere (a ConfigMap swap): watch where it leads.
    await this.#watchDirectories();
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#path);
    } catch (err) {
      const state = `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      if (state === this.#seen || this.#closed) return;
      this.#seen = state;
      this.#events.onError(new Error(`cannot read policy file ${this.#path}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const version = policyVersion(bytes);
    if (version === this.#seen || this.#closed) return;
    this.#seen = version;
    this.#events.onChange(bytes);
  }

  /** Watches the file's directory, and its real path's when a symlink leads elsewhere; drops directories no longer on the way. */
  async #watchDirectories(): Promise<void> {
    const wanted = new Map<string, string>([[dirname(this.#path), basename(this.#path)]]);
    const real = await realpath(this.#path).catch(() => undefined);
    if (real && real !== this.#path) wanted.set(dirname(real), basename(real));
    if (this.#closed) return;
    this.#names.clear();
    for (const name of wanted.values()) this.#names.add(name);
    for (const [dir, watcher] of this.#dirs) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.#dirs.delete(dir);
      }
    }
    for (const dir of wanted.keys()) if (!this.#dirs.has(dir)) this.#watch(dir);
  }

  #watch(dir: string): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        // A rename over the file names the file; a ConfigMap swap renames `..data`; some platforms name nothing.
        if (name === null || this.#names.has(name.toString()) || name.toString().startsWith('..')) this.#schedule();
      });
    } catch {
      return; // No events here (the directory is gone, or the platform cannot watch it): polling still runs.
    }
    watcher.on('error', () => {
      watcher.close();
      if (this.#dirs.get(dir) === watcher) this.#dirs.delete(dir);
    });
    this.#dirs.set(dir, watcher);
  }
}
