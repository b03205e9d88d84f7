import { describe, expect, it } from 'vitest';
import { mayResubmitAfter, mayRunTwice } from '../../src/queue/resubmit.js';

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

describe('mayResubmitAfter (a cluster-level failure before the client saw more than QUEUED pages)', () => {
  it.each([
    ['SERVER_STARTING_UP', 'SELECT 1', true],
    ['SERVER_STARTING_UP', 'INSERT INTO t VALUES 1', true],
    ['NO_NODES_AVAILABLE', 'SELECT 1', true],
    ['NO_NODES_AVAILABLE', 'CREATE TABLE t AS SELECT 1', false],
    ['SYNTAX_ERROR', 'SELEC 1', false],
    ['GENERIC_INTERNAL_ERROR', 'SELECT 1', false],
    [undefined, 'SELECT 1', false],
  ])('%s, %j → %s', (errorName, sql, want) => {
    expect(mayResubmitAfter(errorName, sql)).toBe(want);
  });
});
