// Speech-to-text: the lines an engine hears in a recording, by side of the call.

/** One line heard: the side (null on a mono recording, where nobody can tell), when, and what was said. */
export interface TranscriptLine {
  speaker: 'agent' | 'customer' | null;
  start_s: number;
  end_s: number;
  text: string;
}

export interface TranscribeOptions {
  /** The recording's channel count: each of two channels is one side, heard on its own. */
  channels: number;
  /** Which stereo channel carries the agent (setting `agent_channel`, default left). */
  agentChannel: 'left' | 'right';
}

/** The engines an operator may configure (environment, not web settings: a command line is code). */
export type SpeechEngine = 'off' | 'pocketsphinx' | 'command';

export interface SpeechConfig {
  engine: SpeechEngine;
  /** STT_COMMAND split into argv (no shell), with {file} and {out} placeholders. */
  command: string[];
  /** Wall-clock limit per process run (STT_TIMEOUT_S, default 600). */
  timeoutMs: number;
  /** Most output read from an engine (STT_MAX_OUTPUT_MB, default 20). */
  maxOutputBytes: number;
}

export class SpeechError extends Error {}
