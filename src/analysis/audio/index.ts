// The audio analyser: decode a recording in a worker, measure speech, overtalk and dead air, write its peaks.
export { analyseAudio, DEFAULT_TIME_LIMIT_MS } from './analyse';
export { decodePeaks, encodePeaks, PEAKS_MAGIC, PEAKS_PER_SECOND, PEAKS_VERSION, type Peaks } from './peaks';
export type { AnalyseAudio, AudioAnalysis, AudioAnalysisOptions, AudioAnalysisResult, Segment } from './types';
