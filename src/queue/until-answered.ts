import type { ServerResponse } from 'node:http';

/** The wait for a client's answer to be over: sent, cut off, or taken over by whoever calls wake. */
export interface Answered {
  promise: Promise<void>;
  wake(): void;
  dispose(): void;
}

/**
 * untilAnswered resolves once the response finished or closed, or wake() is called. A submission's
 * attempt settles with the answer's head; the queue waits for its body too, since the query id that
 * binds the slot is read from it.
 */
export function untilAnswered(res: ServerResponse): Answered {
  let done!: () => void;
  const promise = new Promise<void>((r) => (done = r));
  const dispose = () => {
    res.off('finish', done);
    res.off('close', done);
  };
  if (res.writableFinished || res.destroyed) done();
  else {
    res.once('finish', done);
    res.once('close', done);
  }
  return { promise, wake: () => done(), dispose };
}
