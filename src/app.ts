import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type passport from 'passport';
import { analysisRoutes } from './analysis';
import { apiRoutes, openApiDocument } from './api';
import { auditRoutes } from './audit';
import { callRoutes, TRANSCRIPT_PATH } from './calls';
import { evaluationRoutes } from './evaluations';
import { disputePanel, disputeRoutes, evaluationsInReview } from './disputes';
import { calibrationRoutes } from './calibration';
import { rubricRoutes } from './rubrics';
import { coachingRoutes } from './coaching';
import { trainingRoutes } from './training';
import { budgetRoutes } from './budget';
import { recognitionRoutes } from './recognition';
import { reportRoutes, rubricAccuracySection } from './reports';
import { uploadRoutes } from './imports';
import { samplingRoutes } from './sampling';
import {
  KyselySessionStore,
  SESSION_COOKIE,
  absoluteSessionTimeout,
  authRoutes,
  bearerTokenAuth,
  buildPassport,
  csrf,
  csrfProtection,
  refuseCredentialsInQuery,
} from './auth';
import type { AppDeps } from './deps';
import { homeRoutes } from './home';
import { enrolmentGate, mfaRoutes, passkeysAreLastFactor } from './mfa';
import { passkeyRoutes } from './passkeys';
import { checkDatabase } from './db/health';
import { errorHandler, notFoundHandler } from './lib/error-handler';
import { diskFull } from './lib/faults';
import { refuseNulCharacters } from './lib/http';
import { exposeLocals } from './lib/locals';
import { viewEngine } from './lib/views';
import { PROJECT_ROOT } from './lib/paths';
import { requestLogger } from './lib/request-log';
import { orgRoutes } from './org';
import { readiness } from './readiness';
import { profileRoutes } from './profile';
import { SetupState, redirectToSetup, setupRoutes } from './setup';
import { getSettings, settingsRoutes } from './settings';
import { peopleRoutes, userAdminRoutes } from './users';
import { coverageRoutes, dryRunRoutes } from './autoeval';
import { webhookRoutes } from './webhooks';
import { inboxRoutes } from './inbox';
import { topicRoutes } from './topics';
import { ssoRoutes } from './sso';

/** Security headers: a strict content security policy (no inline scripts or styles, nothing from elsewhere). */
function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        fontSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });
}

/** Who the caller is: a session cookie (Passport on top), or for the API a bearer token. */
function identify(app: Express, deps: AppDeps): passport.PassportStatic {
  const auth = buildPassport(deps);
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: deps.sessionSecret,
      store: new KyselySessionStore(deps.db, deps.clock, deps.config.sessionIdleMs),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: deps.config.sessionIdleMs },
    }),
  );
  app.use(auth.initialize());
  app.use(auth.session());
  // After the session, so a bearer token decides who the caller is even if a cookie came along.
  app.use('/api', bearerTokenAuth(deps));
  app.use((req, _res, next) => {
    if (req.user && !req.authVia) req.authVia = 'session';
    next();
  });
  app.use(absoluteSessionTimeout(deps));
  return auth;
}

/** Every feature's routes, in the order they are tried. */
function mountFeatures(app: Express, deps: AppDeps, auth: passport.PassportStatic): void {
  const setupState = new SetupState(deps);
  app.use(redirectToSetup(setupState));
  app.use(setupRoutes(deps, setupState));
  // Before auth's: the sign-in button, the SSO-only password guard and the provider's sign-out.
  app.use(ssoRoutes(deps));
  app.use(authRoutes(deps, auth));
  app.use('/api/v1', apiRoutes(deps));
  for (const routes of [
    homeRoutes,
    profileRoutes,
    mfaRoutes,
    (d: AppDeps) => passkeyRoutes(d, { lastFactorRequired: passkeysAreLastFactor }),
    userAdminRoutes,
    peopleRoutes,
    orgRoutes,
    auditRoutes,
    settingsRoutes,
    webhookRoutes,
    inboxRoutes,
    topicRoutes,
    uploadRoutes,
    analysisRoutes,
    callRoutes,
    (d: AppDeps) => evaluationRoutes(d, { disputePanel, evaluationsInReview }),
    disputeRoutes,
    calibrationRoutes,
    (d: AppDeps) => rubricRoutes(d, { accuracy: rubricAccuracySection }),
    coachingRoutes,
    trainingRoutes,
    budgetRoutes,
    recognitionRoutes,
    samplingRoutes,
    // Before the reports' staff guard, so a CSR finds no coverage page at all (404, silent monitoring).
    coverageRoutes,
    dryRunRoutes,
    reportRoutes,
  ]) {
    app.use(routes(deps));
  }
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  const viewsDir = path.join(PROJECT_ROOT, 'views');
  app.set('views', viewsDir);
  app.engine(
    'ejs',
    viewEngine(viewsDir, () => app.enabled('view cache')),
  );
  app.set('view engine', 'ejs');
  // Express caches compiled templates only when process.env.NODE_ENV is 'production'; the app's own setting
  // (config.env, 'production' unless set) decides, so `npm start` without NODE_ENV compiles each view once too.
  app.set('view cache', deps.config.env !== 'development');
  app.set('query parser', 'simple');

  app.use(requestLogger(deps.logger));
  app.use(securityHeaders());
  app.use(
    '/static/vendor/pico',
    express.static(path.join(PROJECT_ROOT, 'node_modules/@picocss/pico/css'), { maxAge: '7d' }),
  );
  app.use(
    '/static/vendor/simplewebauthn',
    express.static(path.join(PROJECT_ROOT, 'node_modules/@simplewebauthn/browser/dist/bundle'), { maxAge: '7d' }),
  );
  app.use('/static', express.static(path.join(PROJECT_ROOT, 'static'), { maxAge: '1h' }));

  app.get('/healthz', async (_req, res) => {
    await checkDatabase(deps.db);
    // Monitoring sees a full disk before people do: writes are refused (507) while it lasts.
    if (await diskFull(deps.config.dataDir)) {
      res.status(503).json({ status: 'degraded', reason: 'disk_full' });
      return;
    }
    res.json({ status: 'ok' });
  });
  // Readiness for a load balancer (database, schema, storage); /healthz above is liveness.
  app.get('/readyz', readiness(deps));
  app.get('/api/openapi.json', (_req, res) => res.json(openApiDocument));

  app.use(refuseCredentialsInQuery);
  // A transcript sent as a JSON body is read as the file it is (2 MB), not parsed here.
  app.use(
    express.json({
      limit: '256kb',
      type: (req) =>
        /^application\/json\b/i.test(req.headers['content-type'] ?? '') && !TRANSCRIPT_PATH.test(req.url ?? ''),
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 500 }));
  app.use(refuseNulCharacters);

  const auth = identify(app, deps);
  app.use(csrfProtection);
  app.use(
    exposeLocals(
      { currency: deps.config.currency, timeZone: async () => (await getSettings(deps.db)).time_zone },
      csrf,
    ),
  );
  app.use(enrolmentGate);
  mountFeatures(app, deps, auth);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger, deps.config.env === 'development'));
  return app;
}
