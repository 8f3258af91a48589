// Money as whole nano-dollars inside stores: sums of integers never drift, and 2^53 nano-USD is $9M.

const NANO = 1e9;

/** USD → whole nano-USD, rounded up so that a cost is never counted below what it was. */
export function toNano(usd: number): number {
  return Math.ceil(usd * NANO - 1e-6);
}

export function fromNano(nano: number): number {
  return nano / NANO;
}
