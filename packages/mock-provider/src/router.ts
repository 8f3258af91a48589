import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallRecord } from './recorder.js';

/** What a route receives: the exchange, its record, the parsed body and the path parameter. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly call: CallRecord;
  /** Parsed JSON body, raw text when it is not JSON, `undefined` when empty (always `undefined` for `raw` routes). */
  readonly body: unknown;
  readonly isJson: boolean;
  /** The value of the path's `:param`, e.g. the model ID of `/models/:id` or the video ID of `/videos/:id/content`. */
  readonly param: string | undefined;
}

/** Answers one request. */
export type Route = (context: RouteContext) => void | Promise<void>;

/**
 * Who checks the API key: `openai` routes are checked by the handler (`Authorization: Bearer`);
 * `own` routes check it themselves, where and how their API expects it.
 */
export type RouteAuth = 'openai' | 'own';

/**
 * How the request body reaches the route: `parsed` (read whole and parsed as JSON by the handler) or `raw`
 * (left unread, for routes that stream multipart uploads themselves).
 */
export type RouteBody = 'parsed' | 'raw';

interface Entry {
  readonly route: Route;
  readonly ownAuth: boolean;
  readonly rawBody: boolean;
}

/** The result of matching a request against the routes. */
export type RouteMatch =
  | {
      readonly kind: 'found';
      readonly route: Route;
      readonly param: string | undefined;
      readonly ownAuth: boolean;
      readonly rawBody: boolean;
    }
  | { readonly kind: 'wrong-method'; readonly allowed: string }
  | { readonly kind: 'not-found' };

interface Pattern {
  readonly prefix: string;
  /** '' for a trailing `:param` that takes the rest of the path; else what follows a one-segment `:param`. */
  readonly suffix: string;
  readonly methods: Map<string, Entry>;
}

/**
 * A tiny router: exact paths, paths with one `:param` segment inside (`/videos/:id/content`), and paths ending
 * in a `:param` that takes the rest (model IDs may hold `/`). Inner-segment patterns are tried first.
 */
export class Router {
  readonly #exact = new Map<string, Map<string, Entry>>();
  readonly #inner: Pattern[] = [];
  readonly #trailing: Pattern[] = [];

  /** Adds `route` for `method` on `path`; a `:name` segment matches one segment, or the rest when it is last. */
  on(method: string, path: string, route: Route, auth: RouteAuth = 'openai', body: RouteBody = 'parsed'): this {
    const entry: Entry = { route, ownAuth: auth === 'own', rawBody: body === 'raw' };
    const colon = path.indexOf('/:');
    if (colon === -1) {
      const methods = this.#exact.get(path) ?? new Map<string, Entry>();
      methods.set(method, entry);
      this.#exact.set(path, methods);
      return this;
    }
    const prefix = path.slice(0, colon + 1);
    const next = path.indexOf('/', colon + 1);
    const suffix = next === -1 ? '' : path.slice(next);
    const patterns = suffix === '' ? this.#trailing : this.#inner;
    let pattern = patterns.find((candidate) => candidate.prefix === prefix && candidate.suffix === suffix);
    if (!pattern) {
      pattern = { prefix, suffix, methods: new Map() };
      patterns.push(pattern);
    }
    pattern.methods.set(method, entry);
    return this;
  }

  /** Finds the route for `method` and `path`. */
  match(method: string, path: string): RouteMatch {
    const exact = this.#exact.get(path);
    if (exact) return pick(exact, method, undefined);
    for (const { prefix, suffix, methods } of this.#inner) {
      if (!path.startsWith(prefix) || !path.endsWith(suffix)) continue;
      const segment = path.slice(prefix.length, path.length - suffix.length);
      if (segment.length > 0 && !segment.includes('/')) return pick(methods, method, decode(segment));
    }
    for (const { prefix, methods } of this.#trailing) {
      const rest = path.slice(prefix.length);
      if (path.startsWith(prefix) && rest.length > 0) return pick(methods, method, decode(rest));
    }
    return { kind: 'not-found' };
  }
}

function pick(methods: Map<string, Entry>, method: string, param: string | undefined): RouteMatch {
  const entry = methods.get(method);
  if (entry) return { kind: 'found', route: entry.route, param, ownAuth: entry.ownAuth, rawBody: entry.rawBody };
  return { kind: 'wrong-method', allowed: [...methods.keys()].join(', ') };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
