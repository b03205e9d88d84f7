import { GatewayError } from '../trino/errors.js';

/** How the routing group was chosen, so a 503 tells an operator which rule or setting to look at. */
export interface GroupChoice {
  source: string;
  rule?: string;
}

/**
 * noBackend is the one answer when a routing group has no backend to take a request: 503
 * NO_NODES_AVAILABLE (Trino's code for "no nodes", with its type; a new query gets it as a failed query,
 * submission.ts), naming the group and, for a new query, what chose it;
 * `unavailable` names a backend that refused the query (503) when no other one of the group could take it.
 */
export function noBackend(group: string, choice?: GroupChoice, unavailable?: string): GatewayError {
  const why = choice ? ` (${chosenBy(choice)})` : '';
  const message = unavailable
    ? `backend ${unavailable} is unavailable and no other backend of "${group}" is${why}`
    : `no available backend in routing group "${group}"${why}`;
  // Trino's NO_NODES_AVAILABLE is an INTERNAL_ERROR (StandardErrorCode).
  return new GatewayError(503, 'NO_NODES_AVAILABLE', message, 'INTERNAL_ERROR');
}

/** chosenBy says what chose the group. */
export function chosenBy(d: GroupChoice): string {
  if (d.rule) return `chosen by rule "${d.rule}"`;
  if (d.source === 'header') return 'asked for in X-Trino-Routing-Group';
  if (d.source === 'principal-default') return "the user's default group";
  if (d.source === 'transaction') return "the transaction's cluster";
  if (d.source === 'kill_query') return 'the cluster running the query kill_query names';
  return 'routing.defaultGroup';
}
