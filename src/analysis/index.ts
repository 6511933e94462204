// The analysis room's door: the automatic analysis of every call with a recording (the audio analyser in
// ./audio, the durable job queue, its worker, the API and pages). Import "../analysis", never its files.
export * from './audio';
export { analysisApiRoutes } from './analysis.api';
export { cleanUpPeaks, cleanUpStoredPeaks } from './analysis.maintenance';
export type { PeaksCleanUp } from './analysis.maintenance';
export { analysisPaths } from './analysis.openapi';
export { analysisRoutes } from './analysis.routes';
export { enqueueAnalysis, analysisOf } from './analysis.service';
export { analysisSummary } from './analysis.view';
export type { AnalysisSummary } from './analysis.view';
export { AnalysisJobs } from './analysis.worker';
export { DEFAULT_JOB_POLICY } from './analysis.jobs';
export type { JobPolicy } from './analysis.jobs';
