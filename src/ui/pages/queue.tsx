import type { ConsoleApp, ConsoleKit } from '../console-app.js';
import { formatDuration, formatTime } from '../format.js';
import { Cell, CsrfField, ErrorPage, Layout, Message } from '../layout.js';
import { QUERY_ID } from './query-detail.js';

/** One query the gateway's queue holds, as the console shows it. */
export interface QueueEntry {
  /** 1 = served next, in the fair queue's order (priority, then users in turn, then first in). */
  position: number;
  id: string;
  user: string;
  group: string;
  priority: number;
  /** When it began to wait (ms since the epoch). */
  since: number;
}

/** The gateway's queue as the console needs it (src/queue/queue-service.ts implements it). */
export interface ConsoleQueue {
  /** The held queries in serving order, at most `limit`. */
  list(limit: number): QueueEntry[];
  /** cancel ends a held query before it reaches any cluster; false when the queue no longer holds it. */
  cancel(id: string): boolean;
}

const SHOWN = 500;

/** registerQueue adds /console/queue: the queries the gateway holds, with a cancel button each. */
export function registerQueue(app: ConsoleApp, k: ConsoleKit, queue: ConsoleQueue): void {
  app.get('/console/queue', (c) => {
    const ctx = c.get('ctx');
    const now = k.now();
    const rows = queue.list(SHOWN);
    const canceled = c.req.query('canceled');
    return c.html(
      <Layout ctx={ctx} title="Queue" section="queue" refreshSeconds={5}>
        {canceled && QUERY_ID.test(canceled) ? (
          <Message kind="info">{`Query ${canceled} was cancelled.`}</Message>
        ) : null}
        <p class="muted">
          Queries the gateway holds because their routing group is at its limits (groups[].queue). They have
          not reached a cluster; cancelling one ends it for its client.
        </p>
        <section class="card scroll">
          <table class="stack" id="queue">
            <thead>
              <tr>
                <th class="num">Position</th>
                <th>Query</th>
                <th>User</th>
                <th>Group</th>
                <th class="num">Priority</th>
                <th>Waiting since (UTC)</th>
                <th class="num">Waited</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr data-query={r.id}>
                  <Cell label="Position" class="num">
                    {String(r.position)}
                  </Cell>
                  <Cell label="Query" class="mono small">
                    {r.id}
                  </Cell>
                  <Cell label="User">{r.user}</Cell>
                  <Cell label="Group">{r.group}</Cell>
                  <Cell label="Priority" class="num">
                    {String(r.priority)}
                  </Cell>
                  <Cell label="Waiting since" class="small">
                    {formatTime(r.since)}
                  </Cell>
                  <Cell label="Waited" class="num">
                    {formatDuration(now - r.since)}
                  </Cell>
                  <Cell label="">
                    <form
                      class="inline"
                      method="post"
                      action={`/console/queue/${r.id}/cancel`}
                      data-confirm={`Cancel ${r.id} of ${r.user}? It never reaches a cluster.`}
                    >
                      <CsrfField token={ctx.csrf} />
                      <button type="submit" class="danger">
                        Cancel
                      </button>
                    </form>
                  </Cell>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <p class="muted">No query is waiting.</p> : null}
          {rows.length >= SHOWN ? <p class="muted">{`The first ${SHOWN} are shown.`}</p> : null}
        </section>
      </Layout>,
    );
  });

  app.post('/console/queue/:id/cancel', (c) => {
    const id = c.req.param('id');
    if (!QUERY_ID.test(id) || !queue.cancel(id))
      return c.html(
        <ErrorPage
          status={404}
          title="Not cancelled"
          message={`The queue holds no query ${id.slice(0, 64)} (it may have started or ended).`}
          ctx={c.get('ctx')}
        />,
        404,
      );
    return c.redirect(`/console/queue?canceled=${id}`, 303);
  });
}
