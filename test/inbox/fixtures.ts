import { asteriskFile, type AsteriskLeg } from '../pbx/cdr-fixtures';

// The inbox suites' call: one inbound call to ring group 600, rung on 1002 (no answer) and answered on 1001, each
// leg with its own uniqueid, as Asterisk's cdr_csv writes it (21 columns), and MixMonitor's recording of it.

/** The leg that rang 1002 and was not answered. */
export const UNANSWERED_LEG: AsteriskLeg = {
  dst: '600',
  dcontext: 'from-trunk',
  channel: 'SIP/trunk-00000001',
  dstchannel: 'PJSIP/1002-00000002',
  start: '2026-11-02 09:00:00',
  end: '2026-11-02 09:00:15',
  billsec: 0,
  disposition: 'NO ANSWER',
  uniqueid: '1793000000.2',
  linkedid: '1793000000.1',
};

/** The leg 1001 answered: the one the recording belongs to. */
export const ANSWERED_LEG: AsteriskLeg = {
  dst: '600',
  dcontext: 'from-trunk',
  channel: 'SIP/trunk-00000001',
  dstchannel: 'PJSIP/1001-00000003',
  start: '2026-11-02 09:00:00',
  answer: '2026-11-02 09:00:12',
  end: '2026-11-02 09:01:47',
  billsec: 95,
  disposition: 'ANSWERED',
  uniqueid: '1793000000.3',
  linkedid: '1793000000.1',
};

/** Both legs of the call. */
export const CALL_LEGS: AsteriskLeg[] = [UNANSWERED_LEG, ANSWERED_LEG];

/** The CDR file with the answered leg alone. */
export const ANSWERED_CDR = asteriskFile([ANSWERED_LEG], 21);

/** The CDR file with both legs. */
export const CALL_CDR = asteriskFile(CALL_LEGS, 21);

/** MixMonitor's name for the answered leg's recording. */
export const RECORDING_NAME = 'in-600-5550001-20261102-090000-1793000000.3.wav';
