import type { CatalogService } from '../catalogs/catalog-service.js';
import {
  CatalogInputError,
  validateCatalogName,
  validateConnectorName,
  validateProperties,
} from '../catalogs/identifiers.js';
import type { ConsoleCatalogs } from './console-deps.js';

/**
 * consoleCatalogs adapts the catalog service to the console, which shows a refusal with its status: input
 * errors become 400s, the service's own refusals keep theirs. Changes made here run as user `console`.
 */
export function consoleCatalogs(service: () => CatalogService): ConsoleCatalogs {
  const refuse = (e: unknown) =>
    e instanceof CatalogInputError ? Object.assign(new Error(e.message), { status: 400 }) : e;
  return {
    list: () => service().list(),
    create: async (spec) => {
      try {
        const r = await service().create(
          spec.group,
          validateCatalogName(spec.name),
          validateConnectorName(spec.connector),
          validateProperties(spec.properties),
          'console',
        );
        return { deployments: r.outcomes };
      } catch (e) {
        throw refuse(e);
      }
    },
    delete: async (group, name) => {
      try {
        return await service().delete(group, validateCatalogName(name), 'console');
      } catch (e) {
        throw refuse(e);
      }
    },
  };
}
