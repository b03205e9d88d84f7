import type { CatalogService } from '../catalogs/catalog-service.js';
import type { ConsoleCatalogs } from './console-deps.js';

/**
 * consoleCatalogs adapts the catalog service to the console, which shows a refusal (an AppError: bad
 * name, unknown group, duplicate) with its status. Changes made here run as user `console`.
 */
export function consoleCatalogs(service: CatalogService): ConsoleCatalogs {
  return {
    list: () => service.list(),
    create: async (spec) => {
      const r = await service.create(spec.group, spec, 'console');
      return { deployments: r.outcomes };
    },
    delete: (group, name) => service.delete(group, name, 'console'),
  };
}
