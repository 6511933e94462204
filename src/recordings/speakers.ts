// Which side of the call a transcript's speaker is on. Phone systems and speech-to-text engines label speakers
// in their own words ("Agent", "CSR", "Rep 1", the agent's name); the settings list the names of each side.

export type Side = 'agent' | 'customer';

/** The names (compared without regard to case and extra spaces) that mean the agent or the customer. */
export interface SpeakerNames {
  agent: readonly string[];
  customer: readonly string[];
}

export const DEFAULT_AGENT_NAMES = 'agent, csr, representative, rep';
export const DEFAULT_CUSTOMER_NAMES = 'customer, caller, client';

/** A speaker name as compared: lower case, single spaces, no surrounding punctuation. */
export function normalSpeaker(name: string): string {
  return name
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

/** A comma-separated list of names (a setting's value) as a list, empty entries left out. */
export function nameList(text: string): string[] {
  return text
    .split(',')
    .map(normalSpeaker)
    .filter((name) => name !== '');
}

export const DEFAULT_SPEAKER_NAMES: SpeakerNames = Object.freeze({
  agent: nameList(DEFAULT_AGENT_NAMES),
  customer: nameList(DEFAULT_CUSTOMER_NAMES),
});

/** The settings' names plus the call's agent by display name and username, who are the agent too. */
export function speakerNamesFor(
  settings: { transcript_agent_names: string; transcript_customer_names: string },
  agent?: { display_name: string; username: string } | null,
): SpeakerNames {
  const agentNames = nameList(settings.transcript_agent_names);
  if (agent) agentNames.push(normalSpeaker(agent.display_name), normalSpeaker(agent.username));
  return { agent: agentNames, customer: nameList(settings.transcript_customer_names) };
}

/** The side a named speaker is on, or undefined when the name is on neither list. */
export function sideOf(name: string, names: SpeakerNames): Side | undefined {
  const key = normalSpeaker(name);
  if (key === '') return undefined;
  if (names.agent.includes(key)) return 'agent';
  if (names.customer.includes(key)) return 'customer';
  return undefined;
}
