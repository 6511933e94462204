import request from 'supertest';
import { apiRoutes } from '../../src/api/api.routes';
import { createToken } from '../../src/profile/tokens.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: unknown;
  handle: { stack?: RouterLayer[] };
}

interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

let ctx: TestContext;
let doc: OpenApi;
let adminToken: string;

beforeAll(async () => {
  ctx = makeTestApp();
  const admin = await buildUser(ctx.deps, 'admin');
  adminToken = (await createToken(ctx.deps, admin.id, { name: 'openapi test' })).token;
  const res = await request(ctx.app).get('/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body as OpenApi;
});
afterAll(async () => ctx.close());

/** "METHOD /path/{param}" for every operation the document describes. */
function documentedOperations(): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** "METHOD /api/v1/path/{param}" for every route the API router registers, nested routers included. */
function registeredOperations(stack: RouterLayer[], prefix: string): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = (prefix + layer.route.path).replace(/(.)\/$/, '$1').replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods)
        .filter((method) => layer.route!.methods[method])
        .map((method) => `${method === '_all' ? 'ALL' : method.toUpperCase()} ${path}`);
    }
    if (Array.isArray(layer.handle.stack) && typeof layer.rawPath === 'string') {
      return registeredOperations(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
    }
    return [];
  });
}

function send(method: string, path: string) {
  const agent = request(ctx.app);
  const call = agent[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'](path);
  call.set('Authorization', `Bearer ${adminToken}`).set('Accept', 'application/json');
  return ['POST', 'PUT', 'PATCH'].includes(method) ? call.send({}) : call;
}

/** What the app answers for a route that does not exist, so a documented route can be told apart from one. */
async function missingRouteAnswer(method: string, path: string) {
  const probe = path.startsWith('/api/v1/') ? '/api/v1/no-such-route-for-the-test' : '/no-such-route-for-the-test';
  const res = await send(method, probe);
  return { status: res.status, body: res.body as unknown };
}

describe('GET /api/openapi.json', () => {
  test('is an OpenAPI 3.1 document with a title, a version and paths', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(doc.info.title.length).toBeGreaterThan(0);
    expect(typeof doc.info.version).toBe('string');
    expect(documentedOperations().length).toBeGreaterThan(0);
  });

  test('is served as JSON without signing in', async () => {
    const res = await request(ctx.app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  test('every operation lists its responses', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item).filter((key) => HTTP_METHODS.includes(key))) {
        expect({ operation: `${method} ${path}`, responses: Object.keys(item[method].responses ?? {}) }).toEqual({
          operation: `${method} ${path}`,
          responses: expect.arrayContaining([expect.stringMatching(/^[1-5]\d\d$/)]),
        });
      }
    }
  });

  test('every $ref points at something in the document', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
    for (const ref of refs) {
      const target = ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
      expect({ ref, resolves: target !== undefined }).toEqual({ ref, resolves: true });
    }
  });
});

describe('the document and the app agree', () => {
  test('the router introspection finds the routes the API contract names', () => {
    const registered = registeredOperations(apiRoutes(ctx.deps).stack as unknown as RouterLayer[], '/api/v1');
    expect(registered).toEqual(
      expect.arrayContaining(['POST /api/v1/tokens', 'DELETE /api/v1/tokens/{id}', 'GET /api/v1/me']),
    );
  });

  test('every /api/v1 route the app registers is in the document', () => {
    const registered = registeredOperations(apiRoutes(ctx.deps).stack as unknown as RouterLayer[], '/api/v1');
    const documented = new Set(documentedOperations());
    const undocumented = registered.filter((operation) => !documented.has(operation));
    expect(undocumented).toEqual([]);
  });

  test('every /api/v1 operation in the document is registered in the API router', () => {
    const registered = new Set(registeredOperations(apiRoutes(ctx.deps).stack as unknown as RouterLayer[], '/api/v1'));
    const missing = documentedOperations().filter(
      (operation) => operation.split(' ')[1].startsWith('/api/v1/') && !registered.has(operation),
    );
    expect(missing).toEqual([]);
  });

  test('a request to every documented operation reaches a route, not the "no such route" answer', async () => {
    const unreachable: string[] = [];
    for (const operation of documentedOperations()) {
      const [method, template] = operation.split(' ');
      const path = template.replace(/\{[^}]+\}/g, '999999');
      const missing = await missingRouteAnswer(method, path);
      expect(missing.status).toBe(404);
      const res = await send(method, path);
      if (res.status === missing.status && JSON.stringify(res.body) === JSON.stringify(missing.body)) {
        unreachable.push(operation);
      }
      expect(res.status).toBeLessThan(500);
    }
    expect(unreachable).toEqual([]);
  });
});
