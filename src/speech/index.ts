// The speech room's door: speech-to-text engines behind one interface. Import "../speech".
export { parseWhisperJson } from './command';
export { splitCommand } from './process';
export { loadSpeechConfig, shouldTranscribe, transcribe } from './speech';
export { SpeechError } from './types';
export type { SpeechConfig, SpeechEngine, TranscribeOptions, TranscriptLine } from './types';
export { wordErrorRate, words } from './wer';
