// The settings room's door: everything other rooms may use of it. Import "../settings", never its files.
export { settingsApiRoutes } from './settings.api';
export { settingsPaths } from './settings.openapi';
export { settingsRoutes } from './settings.routes';
export { getSettings, pbxImportSettings } from './settings.service';
export type { Settings } from './settings.service';
