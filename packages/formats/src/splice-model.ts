// The client's bytes with only the top-level "model" value replaced: what a routed passthrough call sends,
// without serialising the prompt again (a 400 KB prompt costs about a millisecond to re-serialise).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const MODEL_KEY = Buffer.from('"model"');

/**
 * `raw` (a JSON object, already parsed once by the caller) with its top-level `model` string replaced by
 * `model`, or `undefined` when the bytes do not say it plainly: no such key, a key written with escapes,
 * the key twice, or a value that is not a string. The caller then serialises the parsed body instead.
 */
export function spliceModel(raw: Buffer, model: string): Buffer | undefined {
  let depth = 0;
  let found: { start: number; end: number } | undefined;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === QUOTE) {
      const end = stringEnd(raw, i);
      if (end < 0) return undefined;
      if (depth === 1 && isModelKey(raw, i, end)) {
        if (found) return undefined;
        const value = valueAfterKey(raw, end + 1);
        if (!value) return undefined;
        found = value;
        i = value.end - 1;
        continue;
      }
      i = end;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  if (!found) return undefined;
  return Buffer.concat([raw.subarray(0, found.start), Buffer.from(JSON.stringify(model)), raw.subarray(found.end)]);
}

/** The index of the quote that closes the string opening at `open`, or -1. */
function stringEnd(raw: Buffer, open: number): number {
  let i = open + 1;
  for (;;) {
    const close = raw.indexOf(QUOTE, i);
    if (close < 0) return -1;
    let backslashes = 0;
    for (let j = close - 1; j > open && raw[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return close;
    i = close + 1;
  }
}

/** Whether the string from `open` to `close` (both quotes) is a key named exactly `model`, followed by its colon. */
function isModelKey(raw: Buffer, open: number, close: number): boolean {
  if (close - open + 1 !== MODEL_KEY.length || !raw.subarray(open, close + 1).equals(MODEL_KEY)) return false;
  return raw[skipSpace(raw, close + 1)] === COLON;
}

/** The span (quotes included) of the string value after the key ending before `from`, or undefined. */
function valueAfterKey(raw: Buffer, from: number): { start: number; end: number } | undefined {
  const start = skipSpace(raw, skipSpace(raw, from) + 1);
  if (raw[start] !== QUOTE) return undefined;
  const close = stringEnd(raw, start);
  return close < 0 ? undefined : { start, end: close + 1 };
}

function skipSpace(raw: Buffer, i: number): number {
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09)) i++;
  return i;
}
