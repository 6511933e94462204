import type { Rng } from '../lib/rng';

const TRANSCRIPT_LINES = [
  ['Agent', 'Thank you for calling, my name is {agent}. How can I help you today?'],
  ['Customer', 'Hi, I am calling about my {topic}. Something does not look right.'],
  ['Agent', 'I am sorry to hear that. Before we start, can you please verify the address on the account?'],
  ['Customer', 'Sure, it is 42 Elm Street, Springfield.'],
  ['Agent', 'Thank you, that matches our records. Let me pull up the details, one moment please.'],
  ['Agent', 'I can see what happened here. I will correct it now and send you a confirmation by email.'],
  ['Customer', 'That would be great. How long will it take?'],
  ['Agent', 'It should show within two business days. Is there anything else I can help you with?'],
  ['Customer', 'No, that is all. Thanks for your help!'],
  ['Agent', 'Thank you for calling. Have a great day.'],
];

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** A handful of WebVTT transcripts (1–2 KB, like a short call) reused across calls. */
export function transcriptVariants(rng: Rng): string[] {
  const topics = ['bill', 'order', 'return', 'router', 'account', 'payment', 'delivery', 'warranty claim'];
  return topics.map((topic) => {
    let t = 0;
    const cues: string[] = ['WEBVTT', ''];
    const repeats = 1 + rng.int(2);
    for (let r = 0; r < repeats; r += 1) {
      for (const [speaker, text] of TRANSCRIPT_LINES) {
        const len = 2 + rng.next() * 5;
        cues.push(
          `${vttTime(t)} --> ${vttTime(t + len)}`,
          `<v ${speaker}>${text.replace('{topic}', topic).replace('{agent}', 'Sam')}`,
          '',
        );
        t += len + 0.6;
      }
    }
    return cues.join('\n');
  });
}
