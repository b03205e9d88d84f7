import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/app-error.js';

describe('AppError', () => {
  it('is a Hono HTTPException with the status and the message, named AppError', () => {
    const e = new AppError(409, 'backend "t1" already exists');
    expect(e).toBeInstanceOf(HTTPException);
    expect(e).toBeInstanceOf(Error);
    expect([e.status, e.message, e.name]).toEqual([409, 'backend "t1" already exists', 'AppError']);
    expect(e.extra).toBeUndefined();
  });

  it('carries more fields of the answer', () => {
    const e = new AppError(400, 'rules are invalid', { issues: [{ rule: 'a', message: 'bad' }] });
    expect(e.extra).toEqual({ issues: [{ rule: 'a', message: 'bad' }] });
  });
});
