import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';

const row = (queryId: string, submittedAt = 1000, sql = 'SELECT 1') => ({
  queryId,
  user: 'alice',
  routingGroup: 'adhoc',
  backend: 'trino-1',
  sql,
  submittedAt,
  state: 'RUNNING',
});

describe('HistoryRepo.list', () => {
  it('filters, searches text literally and pages with a stable cursor', () => {
    const { db } = openDatabase(':memory:');
    const repo = new HistoryRepo(db);
    repo.writeBatch(
      [
        row('q_1', 1, 'SELECT 100%'),
        row('q_2', 2, 'SELECT 1'),
        row('q_3', 2, 'select x_y'),
        row('q_4', 3, 'SELECT 2'),
      ],
      [],
    );
    expect(repo.list({ text: '100%', limit: 10 }).map((r) => r.queryId)).toEqual(['q_1']);
    expect(repo.list({ text: 'x_y', limit: 10 }).map((r) => r.queryId)).toEqual(['q_3']);
    const page1 = repo.list({ limit: 2 });
    expect(page1.map((r) => r.queryId)).toEqual(['q_4', 'q_3']);
    const last = page1[1];
    const page2 = repo.list({ limit: 2, before: { submittedAt: last.submittedAt, queryId: last.queryId } });
    expect(page2.map((r) => r.queryId)).toEqual(['q_2', 'q_1']);
  });
});
