import fs from 'node:fs';
import path from 'node:path';
import { csrfField } from '../../src/lib/locals';
import { PROJECT_ROOT } from '../../src/lib/paths';
import { buildOrg } from '../helpers/builders';
import { makeTestApp, type TestContext } from '../helpers/app';
import { signIn } from '../helpers/http';

// Views include their partials by absolute path from the views folder (the engine's `root`): EJS resolves those
// without the disk, where a relative include costs an fs.existsSync on every render, cached views or not.

const VIEWS = path.join(PROJECT_ROOT, 'views');

function viewFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return viewFiles(full);
    return entry.name.endsWith('.ejs') ? [full] : [];
  });
}

test('every include names its partial from the views folder, and the partial exists', () => {
  const includes = viewFiles(VIEWS).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/include\(\s*(['"`])([^'"`]+)\1/g)].map((m) => ({
      file: path.relative(VIEWS, file),
      target: m[2]!,
    })),
  );
  expect(includes.length).toBeGreaterThan(300);
  expect(includes.filter((i) => !i.target.startsWith('/'))).toEqual([]);
  const missing = includes.filter((i) => {
    const target = path.join(VIEWS, i.target);
    return !fs.existsSync(path.extname(target) ? target : `${target}.ejs`);
  });
  expect(missing).toEqual([]);
});

let ctx: TestContext | undefined;
afterEach(async () => ctx?.close());

test.each([
  ['cached', {}],
  ['compiled each time', { NODE_ENV: 'development' }],
])('a page with partials renders them without asking the disk whether they exist (views %s)', async (_, env) => {
  ctx = makeTestApp(env);
  const org = await buildOrg(ctx.deps);
  const agent = await signIn(ctx.app, org.supervisorA.username);
  const first = await agent.get('/calls');
  expect(first.status).toBe(200);
  const exists = jest.spyOn(fs, 'existsSync');
  try {
    const page = await agent.get('/calls');
    expect(page.status).toBe(200);
    // The shared head, the navigation and the CSRF field all came from partials.
    expect(page.text).toContain('<nav');
    expect(page.text).toContain('name="_csrf"');
    const asked = exists.mock.calls.map(([p]) => String(p)).filter((p) => p.endsWith('.ejs'));
    expect(asked).toEqual([]);
  } finally {
    exists.mockRestore();
  }
});

test('the CSRF field a form carries is the token, escaped for an attribute', () => {
  expect(csrfField('0a1b')).toBe('<input type="hidden" name="_csrf" value="0a1b">');
  expect(csrfField('"><script>')).toBe('<input type="hidden" name="_csrf" value="&#34;&gt;&lt;script&gt;">');
});
