import { HTTPException } from 'hono/http-exception';

/** The statuses a refusal of the gateway's own API takes. */
export type AppErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 503;

/**
 * AppError is the one refusal of the gateway's own API (admin, history, catalogs, rules, users): thrown
 * by the domain services and the routes, answered by the app's one onError as JSON `{ message, ...extra }`
 * with its status. `message` names what was wrong (`weight: Too big…`, `backend "x" not found`). The
 * Trino protocol paths keep their own error (GatewayError, Trino's error JSON).
 */
export class AppError extends HTTPException {
  declare readonly status: AppErrorStatus;

  constructor(
    status: AppErrorStatus,
    message: string,
    /** More fields of the answer (e.g. the list of rule `issues`). */
    readonly extra?: Readonly<Record<string, unknown>>,
  ) {
    super(status, { message });
    this.name = 'AppError';
  }
}
