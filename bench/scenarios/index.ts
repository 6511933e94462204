import { callListScenario } from './call-list';
import { dashboardsScenario } from './dashboards';
import { exportScenario } from './export';
import { memoryScenario } from './memory';
import { plansScenario } from './plans';
import { rangeScenario } from './range';
import { rawSqlScenario } from './raw-sql';
import { reportsScenario } from './reports';
import { scoringScenario } from './scoring';
import type { Scenario } from './types';
import { uploadScenario } from './upload';

/**
 * Every scenario bench/run.ts knows, in run order. Add new ones here (and a file beside this one). Each runs on
 * its own fresh copy of the dataset, so the order does not change the figures.
 */
export const SCENARIOS: Scenario[] = [
  callListScenario,
  uploadScenario,
  rangeScenario,
  scoringScenario,
  dashboardsScenario,
  reportsScenario,
  rawSqlScenario,
  exportScenario,
  memoryScenario,
  plansScenario,
];
