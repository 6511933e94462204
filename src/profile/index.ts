// The profile room's door: everything other rooms may use of it. Import "../profile", never its files.
export { profileRoutes } from './profile.routes';
export { createToken, revokeToken } from './tokens.service';
