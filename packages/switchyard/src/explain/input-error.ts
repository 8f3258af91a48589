// What a request to explain gets wrong about the policy: a `given` signal it does not know, a value of the
// wrong type, an upstream script naming no model. A usage error, not the gateway's refusal.
export class ExplainInputError extends Error {
  override readonly name = 'ExplainInputError';
}
