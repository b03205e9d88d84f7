import { describe, expect, it } from 'vitest';
import { mayRunTwice } from '../../src/queue/resubmit.js';

describe('mayRunTwice', () => {
  it.each([
    ['SELECT 1', true],
    ['  -- why\n/* note */ (SELECT 1)', true],
    ['with t as (select 1) select * from t', true],
    ['SHOW CATALOGS', true],
    ['DESCRIBE orders', true],
    ['EXPLAIN SELECT 1', true],
    ['EXPLAIN ANALYZE INSERT INTO t VALUES 1', false],
    ['INSERT INTO t SELECT 1', false],
    ['CREATE TABLE t AS SELECT 1', false],
    ["CALL system.runtime.kill_query('x')", false],
    ['DELETE FROM t', false],
    ['', false],
  ])('%j → %s', (sql, want) => {
    expect(mayRunTwice(sql)).toBe(want);
  });
});
