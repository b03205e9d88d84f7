import { describe, expect, it } from 'vitest';
import { killQueryTarget } from '../../src/trino/kill-query.js';

describe('killQueryTarget', () => {
  it.each([
    [
      "CALL system.runtime.kill_query(query_id => '20261202_001122_00001_abcde', message => 'bye')",
      '20261202_001122_00001_abcde',
    ],
    ["call system.runtime.kill_query('20261202_001122_00001_abcde')", '20261202_001122_00001_abcde'],
    ['-- superset\n/* x */ CALL "system"."runtime"."kill_query"(query_id=>\'q_1\');', 'q_1'],
    ['SELECT 1', undefined],
    ["CALL system.runtime.kill_query(query_id => 'NOT AN ID')", undefined],
    ["SELECT 'CALL system.runtime.kill_query(''q_1'')'", undefined],
  ])('%s → %s', (sql, id) => {
    expect(killQueryTarget(sql)).toBe(id);
  });
});
