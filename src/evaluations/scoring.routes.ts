import type { Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { answerLabel } from './answers';
import { formBody, idParam } from '../lib/forms';
import { clientIp, flash, successRedirect } from '../lib/http';
import { actorOf, visibleEvaluationOr404 } from '../policy';
import { showsSuggestions } from './auto-answers';
import { scorerOr404 } from './checks';
import { applyCommentDecisions, staleComments, type StaleComment } from './comment-decisions';
import { evaluationView } from './evaluation-view';
import { rescoreEvaluation, saveEvaluation } from './evaluations.service';
import { scoringFormErrors, scoringFormInput } from './scoring-form';
import { suggestionsFor, type Suggestion } from './suggestions';

// The scoring form's routes: score a draft (with autosave), rescore a submitted scorecard.

type Handler = (req: Request, res: Response) => Promise<void>;
type Mode = 'score' | 'rescore';
/** Why the form comes back: its status, a message per field, and the comments a rescore asks about. */
type Refused = { status: number; errors: Record<string, string>; staleComments?: StaleComment[] };

const scorecardId = (req: Request) => idParam(req, 'scorecard');

async function renderForm(deps: AppDeps, req: Request, res: Response, mode: Mode, refused?: Refused): Promise<void> {
  const id = scorecardId(req);
  const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), id);
  scorerOr404(actorOf(req));
  if (mode === 'score' && evaluation.status !== 'draft') return res.redirect(303, `/evaluations/${id}`);
  if (mode === 'rescore' && evaluation.status === 'draft') return res.redirect(303, `/evaluations/${id}/score`);
  // Calibration scorecards are compared as given: there is no rescore form (a refused post still says why).
  if (mode === 'rescore' && evaluation.kind === 'calibration' && !refused) {
    return res.redirect(303, `/evaluations/${id}`);
  }
  const view = await evaluationView(deps.db, evaluation);
  // Suggest mode prefills a new scorecard with the rules' answers; calibration scores stay blind.
  const suggest = mode === 'score' && showsSuggestions(view.rubric, evaluation);
  const suggested = suggest ? (await suggestionsFor(deps.db, evaluation.call_id, view.rubric)).answers : [];
  res.status(refused?.status ?? 200).render('evaluations/score', {
    title: mode === 'score' ? 'Score a call' : 'Rescore',
    ...view,
    suggestions: new Map<number, Suggestion>(suggested.map((s) => [s.item_id, s])),
    mode,
    errors: refused?.errors ?? {},
    posted: refused ? formBody(req) : null,
    answerLabel,
    staleComments: new Map((refused?.staleComments ?? []).map((c) => [c.item_id, c])),
  });
}

export function scoringForm(deps: AppDeps, mode: Mode): Handler {
  return (req, res) => renderForm(deps, req, res, mode);
}

/** The posted scoring form, read against the scorecard's rubric. */
async function postedForm(deps: AppDeps, req: Request) {
  const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), scorecardId(req));
  const view = await evaluationView(deps.db, evaluation);
  const form = formBody(req);
  return { form, input: scoringFormInput(view.rubric, form) };
}

export function saveForm(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = scorecardId(req);
    const { form, input } = await postedForm(deps, req);
    const submit = form.op === 'submit';
    try {
      const outcome = await saveEvaluation(deps, actorOf(req), id, { ...input, submit }, clientIp(req), 'form');
      if (!submit) {
        flash(req, 'success', 'Draft saved.');
        return res.redirect(303, `/evaluations/${id}/score`);
      }
      const released = outcome.evaluation.status === 'released';
      flash(
        req,
        'success',
        `Scorecard submitted${released ? ' and released to the CSR' : ''}.${outcome.coachingTaskId ? ' A coaching task was created.' : ''}`,
      );
      res.redirect(303, `/evaluations/${id}`);
    } catch (err) {
      const refused = scoringFormErrors(err, input.answers);
      if (!refused) throw err;
      await renderForm(deps, req, res, 'score', refused);
    }
  };
}

/** Autosave from the scoring page's script: JSON in, the new revision and live score out. */
export function autosave(deps: AppDeps): Handler {
  return async (req, res) => {
    const draft = { ...formBody(req), submit: false };
    const outcome = await saveEvaluation(deps, actorOf(req), scorecardId(req), draft, clientIp(req));
    res.json({
      revision: outcome.evaluation.revision,
      score: outcome.result.score,
      saved_at: outcome.evaluation.updated_at,
    });
  };
}

export function rescoreForm(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = scorecardId(req);
    const { form, input } = await postedForm(deps, req);
    const stale = await staleComments(deps.db, id, input.answers);
    try {
      const answers = applyCommentDecisions(form, input.answers, stale);
      await rescoreEvaluation(deps, actorOf(req), id, { ...input, answers, reason: form.reason }, clientIp(req));
      successRedirect(req, res, 'Scorecard rescored. The earlier revision is kept below.', `/evaluations/${id}`);
    } catch (err) {
      const refused = scoringFormErrors(err, input.answers);
      if (!refused) throw err;
      await renderForm(deps, req, res, 'rescore', { ...refused, staleComments: stale });
    }
  };
}
