// Several middlewares run as one: what a routed call goes through, in one step instead of one router layer
// per middleware. Errors, thrown or rejected, end the chain as Express's own routing would.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export function chain(handlers: readonly RequestHandler[]): RequestHandler {
  return function switchyardChain(req: Request, res: Response, done: NextFunction) {
    let at = 0;
    const step = (err?: unknown) => {
      if (err !== undefined && err !== null) return done(err);
      const handler = handlers[at++];
      if (!handler) return done();
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.then(undefined, (rejected: unknown) => step(rejected ?? new Error('rejected')));
      } catch (thrown) {
        step(thrown);
      }
    };
    step();
  };
}
