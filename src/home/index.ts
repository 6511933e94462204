// The home room's door: everything other rooms may use of it. Import "../home", never its files.
export { homeRoutes } from './home.routes';
