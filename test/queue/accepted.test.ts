import { describe, expect, it } from 'vitest';
import { AcceptedSubmissions } from '../../src/queue/accepted.js';
import type { QueuedSubmission } from '../../src/queue/queue-gate.js';

/** A submission as the gate remembers it (only the fields the memory reads are real). */
const sub = (sql: string, bytes = sql.length): QueuedSubmission =>
  ({
    sql,
    body: Buffer.alloc(bytes),
    user: 'alice',
    decision: { group: 'adhoc', source: 'config-default' },
  }) as unknown as QueuedSubmission;

const anywhere = () => true;

describe('the submissions remembered for failover', () => {
  it('hands over a lost query only when it reads', () => {
    const m = new AcceptedSubmissions();
    m.remember('q1', sub('SELECT 1'), {}, 'a');
    m.remember('q2', sub('INSERT INTO t VALUES 1'), {}, 'a');
    expect(m.takeLost('q2')).toBeUndefined();
    expect(m.takeLost('q1')?.backend).toBe('a');
    expect(m.takeLost('q1')).toBeUndefined(); // once
  });

  it('hands over a query failed at start while another backend may take it, and each backend once', () => {
    const m = new AcceptedSubmissions();
    const s = sub('INSERT INTO t VALUES 1');
    m.remember('q1', s, {}, 'a');
    expect(m.takeFailed('q1', 'NO_NODES_AVAILABLE', anywhere)).toBeUndefined(); // a write, scheduled
    expect(m.takeFailed('q1', 'SERVER_STARTING_UP', () => false)).toBeUndefined(); // nowhere else
    expect(m.takeFailed('q1', 'SERVER_STARTING_UP', anywhere)?.backend).toBe('a');
    m.remember('q2', s, {}, 'b');
    let seen: string[] = [];
    m.takeFailed('q2', 'SERVER_STARTING_UP', (_a, failedOn) => ((seen = [...failedOn]), true));
    expect(seen).toEqual(['a', 'b']);
  });

  it('forgets a query whose client moved on, and keeps within its byte budget', () => {
    const m = new AcceptedSubmissions();
    m.remember('q1', sub('SELECT 1'), {}, 'a');
    m.forget('q1');
    expect(m.size).toBe(0);
    const big = 20 * 1024 * 1024;
    for (let i = 0; i < 5; i++) m.remember(`b${i}`, sub('SELECT 1', big), {}, 'a');
    expect(m.size).toBe(3); // 64 MiB hold three of 20 MiB; the oldest went
    expect(m.takeLost('b0')).toBeUndefined();
    expect(m.takeLost('b4')).toBeDefined();
    m.remember('huge', sub('SELECT 1', 65 * 1024 * 1024), {}, 'a');
    expect(m.takeLost('huge')).toBeUndefined();
  });
});
