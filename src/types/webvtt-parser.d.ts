declare module 'webvtt-parser' {
  interface CueNode {
    type: 'object' | 'text' | 'timestamp';
    name?: string;
    classes?: string[];
    value?: string | number;
    children?: CueNode[];
  }
  interface Cue {
    id: string;
    startTime: number;
    endTime: number;
    text: string;
    tree: { children: CueNode[] };
  }
  interface ParseResult {
    cues: Cue[];
    errors: Array<{ message: string; line: number }>;
  }
  export class WebVTTParser {
    parse(input: string, mode?: 'metadata' | 'chapters'): ParseResult;
  }
}
