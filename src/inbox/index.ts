// The recordings inbox's door: a folder the phone system writes recordings into, swept and matched to calls
// (issue 18). Import "../inbox", never its files.
export {
  FREESWITCH_PATTERN,
  INBOX_PATTERN_PRESETS,
  InboxConfigError,
  loadInboxConfig,
  MIXMONITOR_PATTERN,
  type InboxConfig,
} from './inbox.config';
export { inboxRoutes, sweepInboxOnce } from './inbox.routes';
export { sweepInbox, type SweepReport } from './inbox.service';
