// The single sign-on room's door: everything other rooms may use of it. Import "../sso", never its files.
export { loadOidcConfig, type OidcConfig } from './sso.config';
export { ssoRoutes } from './sso.routes';
