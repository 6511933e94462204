// The audio analyser: decode a recording in a worker, measure speech, overtalk and dead air, write its peaks.
export { analyseAudio, analysisPool } from './analyse';
export { AnalysisPool, AnalysisStopped, DEFAULT_POOL_OPTIONS, DEFAULT_TIME_LIMIT_MS, type PoolOptions } from './pool';
export { decodePeaks, encodePeaks, PEAKS_MAGIC, PEAKS_PER_SECOND, PEAKS_VERSION, type Peaks } from './peaks';
export type { AnalyseAudio, AudioAnalysis, AudioAnalysisOptions, AudioAnalysisResult, Segment } from './types';
