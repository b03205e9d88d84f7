import { z } from 'zod';
import { backendInput, backendPatch, groupInput, userInput, userPatch } from '../schemas.js';
import { doc } from './describe.js';
import { backendView, deletedBody, groupView, userView } from './response-schemas.js';

const bad = 'invalid input; `message` names the field and the reason';
const tag = { backends: 'backends', groups: 'routing groups', users: 'users' };

/** OpenAPI descriptions of the routes in admin-routes.ts, one per route. */
export const adminDocs = {
  listBackends: doc({
    tag: tag.backends,
    summary: 'List backends with health, load, in-flight count and drained flag',
    query: z.object({ group: z.string().optional().describe('only the backends of this routing group') }),
    responses: { 200: ['the backends', z.array(backendView)], 400: 'unknown group' },
  }),
  getBackend: doc({
    tag: tag.backends,
    summary: 'One backend',
    responses: { 200: ['the backend', backendView], 404: 'no backend of that name' },
  }),
  addBackend: doc({
    tag: tag.backends,
    summary: 'Add a backend (stored, then in use without a restart)',
    body: backendInput,
    responses: { 201: ['added', backendView], 400: bad, 409: 'a backend of that name exists' },
  }),
  replaceBackend: doc({
    tag: tag.backends,
    summary: 'Replace every field of a backend but its name',
    body: backendInput.omit({ name: true }),
    responses: { 200: ['replaced', backendView], 400: bad, 404: 'no backend of that name' },
  }),
  patchBackend: doc({
    tag: tag.backends,
    summary: 'Change some fields of a backend',
    body: backendPatch,
    responses: { 200: ['changed', backendView], 400: bad, 404: 'no backend of that name' },
  }),
  deleteBackend: doc({
    tag: tag.backends,
    summary: 'Delete a backend',
    query: z.object({
      force: z.enum(['true']).optional().describe('delete even with queries in flight'),
    }),
    responses: {
      200: ['deleted', deletedBody],
      404: 'no backend of that name',
      409: 'queries in flight: deactivate it and delete it once drained (or ?force=true)',
    },
  }),
  activateBackend: doc({
    tag: tag.backends,
    summary: 'Let the backend take new queries (when healthy)',
    responses: { 200: ['activated', backendView], 404: 'no backend of that name' },
  }),
  deactivateBackend: doc({
    tag: tag.backends,
    summary: 'Drain: no new queries; running ones finish (see `drained`)',
    responses: { 200: ['deactivated', backendView], 404: 'no backend of that name' },
  }),
  listGroups: doc({
    tag: tag.groups,
    summary: 'List routing groups',
    responses: { 200: ['the groups', z.array(groupView)] },
  }),
  getGroup: doc({
    tag: tag.groups,
    summary: 'One routing group',
    responses: { 200: ['the group', groupView], 404: 'no group of that name' },
  }),
  putGroup: doc({
    tag: tag.groups,
    summary: 'Create or change a routing group',
    body: groupInput,
    responses: { 200: ['changed', groupView], 201: ['created', groupView], 400: bad },
  }),
  deleteGroup: doc({
    tag: tag.groups,
    summary: 'Delete an empty routing group',
    responses: {
      200: ['deleted', deletedBody],
      404: 'no group of that name',
      409: 'the group has backends or catalogs, or is the default group',
    },
  }),
  listUsers: doc({
    tag: tag.users,
    summary: 'List users (never password hashes)',
    responses: { 200: ['the users', z.array(userView)] },
  }),
  getUser: doc({
    tag: tag.users,
    summary: 'One user',
    responses: { 200: ['the user', userView], 404: 'no user of that name' },
  }),
  addUser: doc({
    tag: tag.users,
    summary: 'Add a user (the password is stored as a scrypt hash)',
    body: userInput,
    responses: { 201: ['added', userView], 400: bad, 409: 'a user of that name exists' },
  }),
  patchUser: doc({
    tag: tag.users,
    summary: 'Change a user added through the API',
    body: userPatch,
    responses: {
      200: ['changed', userView],
      400: bad,
      404: 'no user of that name',
      409: 'the user is defined in the config file',
    },
  }),
  deleteUser: doc({
    tag: tag.users,
    summary: 'Delete a user added through the API',
    responses: {
      200: ['deleted', deletedBody],
      404: 'no user of that name',
      409: 'the user is defined in the config file',
    },
  }),
};
