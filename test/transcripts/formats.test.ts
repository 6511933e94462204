import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_SPEAKER_NAMES,
  speakerNamesFor,
  transcriptCues,
  validateTranscript,
  type Cue,
} from '../../src/recordings';
import { TranscriptError, TranscriptTooLarge } from '../../src/recordings/transcript';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'transcripts');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

// The call's agent is Dana Smith: the VTT fixture names her, and her name means the agent.
const NAMES = speakerNamesFor(
  { transcript_agent_names: 'agent, csr, representative, rep', transcript_customer_names: 'customer, caller, client' },
  { display_name: 'Dana Smith', username: 'dsmith' },
);

const SAID = [
  'Thank you for calling Acme, this is Dana.',
  'Hi Dana, my lamp arrived broken.',
  'I am sorry to hear that & I will help.',
];

function timesSidesText(cues: Cue[]) {
  return cues.map((c) => [c.start_s, c.end_s, c.side, c.text]);
}

describe('every format gives the same lines with speaker, side and times', () => {
  const timed = [
    [0.5, 3, 'agent', SAID[0]],
    [2.8, 5.25, 'customer', SAID[1]],
    [5.9, 8, 'agent', SAID[2]],
  ];

  test.each([
    ['call.vtt', 'vtt', ['Agent', 'Caller', 'Dana Smith']],
    ['call.srt', 'srt', ['Agent', 'Customer', 'Rep']],
    ['call.json', 'json', ['agent', 'customer', 'agent']],
  ])('%s (%s) keeps each line with its speaker, side and times; overlaps are kept', (file, source, speakers) => {
    const checked = validateTranscript(fixture(file), NAMES);
    expect(checked.source).toBe(source);
    expect(timesSidesText(checked.cues)).toEqual(timed);
    expect(checked.cues.map((c) => c.speaker)).toEqual(speakers);
    // Stored as WebVTT with the side as the voice's class, and read back to the same cues.
    expect(checked.format).toBe('vtt');
    expect(checked.text).toContain('<v.customer ');
    expect(transcriptCues(checked.format, checked.text)).toEqual(checked.cues);
  });

  test('plain text gives untimed lines (times -1) with speakers and sides, and reads back the same', () => {
    const checked = validateTranscript(fixture('call.txt'), NAMES);
    expect(checked.source).toBe('text');
    expect(checked.format).toBe('text');
    expect(checked.cues).toEqual([
      { start_s: -1, end_s: -1, speaker: 'Agent', side: 'agent', text: SAID[0] },
      { start_s: -1, end_s: -1, speaker: 'Client', side: 'customer', text: SAID[1] },
      { start_s: -1, end_s: -1, speaker: 'CSR', side: 'agent', text: SAID[2] },
    ]);
    expect(transcriptCues(checked.format, checked.text)).toEqual(checked.cues);
  });

  test('a WebVTT or text transcript stored before sides were written gets them from the default names', () => {
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:02.000\n<v Agent>Hello.\n\n00:02.000 --> 00:03.000\n<v Caller>Hi.\n';
    expect(transcriptCues('vtt', vtt).map((c) => c.side)).toEqual(['agent', 'customer']);
    expect(transcriptCues('text', 'Rep: Hello.\nCustomer: Hi.\n').map((c) => c.side)).toEqual(['agent', 'customer']);
  });

  test('lines without a speaker are kept with no side', () => {
    const checked = validateTranscript(Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nHello there.\n'));
    expect(checked.cues).toEqual([{ start_s: 1, end_s: 2, speaker: null, side: null, text: 'Hello there.' }]);
  });
});

describe('speaker names', () => {
  test('match without regard to case, spaces and punctuation', () => {
    const vtt =
      'WEBVTT\n\n00:00.000 --> 00:01.000\n<v  REPRESENTATIVE >Hi.\n\n00:01.000 --> 00:02.000\n<v caller:>Yo.\n';
    expect(validateTranscript(Buffer.from(vtt)).cues.map((c) => c.side)).toEqual(['agent', 'customer']);
  });

  test("the call's agent by display name or username is the agent", () => {
    const json = JSON.stringify([
      { speaker: 'dsmith', start_s: 0, end_s: 1, text: 'Hi.' },
      { speaker: 'dana SMITH', start_s: 1, end_s: 2, text: 'Hello.' },
    ]);
    expect(validateTranscript(Buffer.from(json), NAMES).cues.map((c) => c.side)).toEqual(['agent', 'agent']);
    expect(() => validateTranscript(Buffer.from(json), DEFAULT_SPEAKER_NAMES)).toThrow(/Unknown speakers "dsmith"/);
  });

  test('configured names replace the defaults', () => {
    const names = speakerNamesFor({ transcript_agent_names: 'Speaker 1', transcript_customer_names: 'speaker 2' });
    const text = Buffer.from('Speaker 1: Hello.\nSpeaker 2: Hi.\n');
    expect(validateTranscript(text, names).cues.map((c) => c.side)).toEqual(['agent', 'customer']);
    expect(() => validateTranscript(Buffer.from('Agent: Hello.\n'), names)).toThrow(/Unknown speaker "Agent"/);
  });

  test('an unknown speaker is refused, naming them and saying how to fix it', () => {
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:01.000\n<v Agent>Hi.\n\n00:01.000 --> 00:02.000\n<v Bob>Yo.\n';
    expect(() => validateTranscript(Buffer.from(vtt))).toThrow(
      'Unknown speaker "Bob": name each speaker as the agent or the customer, or add the name to the transcript speaker names in Settings.',
    );
  });
});

describe('bad transcripts are refused with a reason', () => {
  test.each([
    ['empty', Buffer.alloc(0), 'The transcript is empty.'],
    ['blank', Buffer.from(' \n\r\n\t'), 'The transcript is empty.'],
    ['not UTF-8 (Latin-1 bytes)', Buffer.from('Agent: Gr\xfc\xdfe', 'latin1'), 'The transcript is not UTF-8 text.'],
    ['NUL bytes', Buffer.from('Agent: hi\u0000'), 'The transcript is not text: it holds NUL bytes.'],
    [
      'a WebVTT cue ending before it starts',
      Buffer.from('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n00:00:05.000 --> 00:00:04.000\nbackwards\n'),
      'Line 6: the cue ends (00:00:04.000) before it starts (00:00:05.000).',
    ],
    [
      'an SRT cue ending before it starts',
      Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:09,500 --> 00:00:09,000\nbackwards\n'),
      'Line 6: the cue ends (00:00:09.000) before it starts (00:00:09.500).',
    ],
    [
      'a JSON line ending before it starts',
      Buffer.from('[{"speaker":"agent","start_s":3,"end_s":1,"text":"x"}]'),
      'Line 1 of the JSON array: the cue ends (00:00:01.000) before it starts (00:00:03.000).',
    ],
    [
      'SRT with a block that has no time line',
      Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\nno time here\n'),
      'Line 6: expected a time line like "00:00:01,000 --> 00:00:04,000".',
    ],
    ['JSON that is not JSON', Buffer.from('[{"speaker": "agent",'), 'The JSON transcript is not valid JSON.'],
    ['a JSON object', Buffer.from('{"lines": []}'), /is an array of/],
    ['an empty JSON array', Buffer.from('[]'), 'The JSON transcript has no lines.'],
    [
      'a JSON line with a negative time',
      Buffer.from('[{"speaker":"agent","start_s":-1,"end_s":1,"text":"x"}]'),
      /"start_s" must be a number/,
    ],
    ['a JSON line without speaker', Buffer.from('[{"start_s":0,"end_s":1,"text":"x"}]'), /"speaker" must be/],
    ['WebVTT without cues', Buffer.from('WEBVTT\n\nNOTE nothing here\n'), 'The WebVTT transcript has no lines.'],
  ])('%s', (_label, bytes, message) => {
    expect(() => validateTranscript(bytes)).toThrow(TranscriptError);
    expect(() => validateTranscript(bytes)).toThrow(message);
  });

  test('over 2 MB (10 MB of text) is too large, told apart from invalid', () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'Agent: words words words\n');
    expect(() => validateTranscript(big)).toThrow(TranscriptTooLarge);
    const justUnder = Buffer.alloc(2 * 1024 * 1024 - 1, 'Agent: a\n');
    expect(validateTranscript(justUnder).cues.length).toBeGreaterThan(200_000);
  });
});
