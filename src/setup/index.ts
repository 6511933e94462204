// The setup room's door: everything other rooms may use of it. Import "../setup", never its files.
export { redirectToSetup, setupRoutes } from './setup.routes';
export { SetupState } from './setup.service';
