import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallRecord } from './recorder.js';

/** What a route receives: the exchange, its record, the parsed body and the path parameter. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly call: CallRecord;
  /** Parsed JSON body, raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown;
  readonly isJson: boolean;
  /** The value of a trailing `:param`, e.g. the model ID of `/models/:id`. */
  readonly param: string | undefined;
}

/** Answers one request. */
export type Route = (context: RouteContext) => void | Promise<void>;

/**
 * Who checks the API key: `openai` routes are checked by the handler (`Authorization: Bearer`);
 * `own` routes check it themselves, where and how their API expects it.
 */
export type RouteAuth = 'openai' | 'own';

interface Entry {
  readonly route: Route;
  readonly ownAuth: boolean;
}

/** The result of matching a request against the routes. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly param: string | undefined; readonly ownAuth: boolean }
  | { readonly kind: 'wrong-method'; readonly allowed: string }
  | { readonly kind: 'not-found' };

/** A tiny router: exact paths, plus paths ending in a `:param` that takes the rest (model IDs may hold `/`). */
export class Router {
  readonly #exact = new Map<string, Map<string, Entry>>();
  readonly #prefixed: Array<{ readonly prefix: string; readonly methods: Map<string, Entry> }> = [];

  /** Adds `route` for `method` on `path`; a last segment such as `:id` matches the rest of the path. */
  on(method: string, path: string, route: Route, auth: RouteAuth = 'openai'): this {
    const entry: Entry = { route, ownAuth: auth === 'own' };
    const slash = path.lastIndexOf('/');
    if (path[slash + 1] === ':') {
      const prefix = path.slice(0, slash + 1);
      let group = this.#prefixed.find((candidate) => candidate.prefix === prefix);
      if (!group) {
        group = { prefix, methods: new Map() };
        this.#prefixed.push(group);
      }
      group.methods.set(method, entry);
    } else {
      const methods = this.#exact.get(path) ?? new Map<string, Entry>();
      methods.set(method, entry);
      this.#exact.set(path, methods);
    }
    return this;
  }

  /** Finds the route for `method` and `path`. */
  match(method: string, path: string): RouteMatch {
    const exact = this.#exact.get(path);
    if (exact) return pick(exact, method, undefined);
    for (const { prefix, methods } of this.#prefixed) {
      const rest = path.slice(prefix.length);
      if (path.startsWith(prefix) && rest.length > 0) return pick(methods, method, decode(rest));
    }
    return { kind: 'not-found' };
  }
}

function pick(methods: Map<string, Entry>, method: string, param: string | undefined): RouteMatch {
  const entry = methods.get(method);
  if (entry) return { kind: 'found', route: entry.route, param, ownAuth: entry.ownAuth };
  return { kind: 'wrong-method', allowed: [...methods.keys()].join(', ') };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
