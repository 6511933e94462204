// The second-factor room's door: everything other rooms may use of it. Import "../mfa", never its files.
export { totpApiRoutes } from './mfa.api';
export { mfaPaths } from './mfa.openapi';
export { enrolmentGate, markEnrolmentDue, mfaRoutes } from './mfa.routes';
export { hasSecondFactor, mustEnrol, passkeyOnly, passkeysAreLastFactor, verifySecondFactor } from './mfa.service';
