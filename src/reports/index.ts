// The reports room's door: everything other rooms may use of it. Import "../reports", never its files.
export { lineChart, scoreTrendChart } from './charts';
export { csatPerTeam } from './customer';
export { reportFilter, type ReportFilter } from './filters';
export { csrFigures, scoreSummary, scoreSummaryByTeam, scoreTrend } from './quality';
export { reportsApiRoutes } from './reports.api';
export { queryString, reportRoutes } from './reports.routes';
export {
  coverageAnswerCells,
  coverageItemCells,
  refreshAllRollups,
  refreshRollups,
  refreshRollupsInBackground,
  rollupDays,
  type CoverageAnswerCell,
  type CoverageItemCell,
  type RollupDays,
} from './rollups';
export { emptySums, serviceLevelByTeam, serviceLevelTotal } from './service-level';
export { meanInterval } from './stats';
export { reportPaths } from './reports.openapi';
export { rubricAccuracySection } from './auto-qa.routes';
