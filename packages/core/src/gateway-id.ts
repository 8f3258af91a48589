// Gateway IDs: every ID a provider mints and a client sends back later, wrapped so that it names the provider
// and model that minted it and cannot be forged. No state: any instance with the policy's key reads it.
//
//   {kind}_sy1.{payload}.{mac}
//   kind     video | task | resp  — readable, so a person can tell what the ID is for
//   payload  base64url of JSON { p: provider, m: model, i: the provider's own ID, o: owner, r?: route }
//   mac      base64url of the first 16 bytes of HMAC-SHA256(key, "{kind}_sy1.{payload}")
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from './policy/secret.js';

export type GatewayIdKind = 'video' | 'task' | 'resp';

/** What a gateway ID carries. */
export interface MintedId {
  readonly kind: GatewayIdKind;
  /** The provider that minted it: follow-ups go there, whatever the policy says about the model now. */
  readonly provider: string;
  /** The model it was minted for. */
  readonly model: string;
  /** The provider's own ID, which it gets back. */
  readonly id: string;
  /** The owner whose call minted it: another owner's follow-up is told it does not exist. */
  readonly owner: string;
  /** The route the client asked for, when it named one. */
  readonly route?: string;
}

const VERSION = 'sy1';
const KINDS: ReadonlySet<string> = new Set<GatewayIdKind>(['video', 'task', 'resp']);
const MAC_BYTES = 16;
/** Longer than any real ID wrapped: a bound on what is decoded and hashed for a forged one. */
const MAX_LENGTH = 4096;

export class GatewayIds {
  readonly #key: Secret;

  constructor(key: Secret) {
    this.#key = key;
  }

  /** The gateway ID for `minted`. */
  wrap(minted: MintedId): string {
    const body: Record<string, string> = { p: minted.provider, m: minted.model, i: minted.id, o: minted.owner };
    if (minted.route !== undefined) body.r = minted.route;
    const head = `${minted.kind}_${VERSION}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    return `${head}.${this.#mac(head).toString('base64url')}`;
  }

  /** What `id` carries; `undefined` for anything not a gateway ID of this key (altered, forged, another kind). */
  unwrap(id: string, kind?: GatewayIdKind): MintedId | undefined {
    if (id.length > MAX_LENGTH) return undefined;
    const dot = id.lastIndexOf('.');
    const under = id.indexOf('_');
    if (dot < 0 || under < 0) return undefined;
    const head = id.slice(0, dot);
    const found = id.slice(0, under);
    if (!KINDS.has(found) || (kind !== undefined && found !== kind)) return undefined;
    if (!head.startsWith(`${found}_${VERSION}.`)) return undefined;
    const sent = id.slice(dot + 1);
    const mac = Buffer.from(sent, 'base64url');
    // Canonical only: base64url's last character carries spare bits, which would let two spellings pass.
    if (mac.length !== MAC_BYTES || mac.toString('base64url') !== sent || !timingSafeEqual(mac, this.#mac(head)))
      return undefined;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(head.slice(found.length + VERSION.length + 2), 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof body !== 'object' || body === null) return undefined;
    const { p, m, i, o, r } = body as Record<string, unknown>;
    if (typeof p !== 'string' || typeof m !== 'string' || typeof i !== 'string' || typeof o !== 'string') return undefined;
    return {
      kind: found as GatewayIdKind,
      provider: p,
      model: m,
      id: i,
      owner: o,
      ...(typeof r === 'string' ? { route: r } : {}),
    };
  }

  #mac(head: string): Buffer {
    return createHmac('sha256', this.#key.reveal()).update(head).digest().subarray(0, MAC_BYTES);
  }
}

/** Whether `id` looks like a gateway ID at all (its readable prefix), without checking it. */
export function looksLikeGatewayId(id: string): boolean {
  return /^(video|task|resp)_sy1\./.test(id);
}
