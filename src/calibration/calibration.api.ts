import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { formBody, idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope, visibleSessionOr404, type Actor } from '../policy';
import { listSessions } from './calibration.queries';
import { sessionListSchema } from './calibration.schemas';
import { closeSession, openSession } from './calibration.service';
import { sessionView, type SessionView } from './calibration.view';
import { keysetPage } from '../lib/pages';

const sessionId = (req: Request) => idParam(req, 'calibration session');

const round = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

/** A session as JSON: answers and scores of others only where the session's blindness allows. */
export function sessionJson(view: SessionView) {
  const { session, results } = view;
  return {
    id: session.id,
    title: session.title,
    call_id: session.call_id,
    rubric_id: session.rubric_id,
    status: session.status,
    blind_until: session.blind_until,
    expert_id: session.expert_id,
    created_at: session.created_at,
    closed_at: session.closed_at,
    participants: view.participants.map((p) => ({
      user_id: p.user_id,
      name: p.name,
      is_expert: p.is_expert,
      progress: p.progress,
    })),
    own_evaluation_id: view.own?.evaluation_id ?? null,
    results_visible: view.visible,
    results: results && {
      reference: results.reference && { kind: results.reference.kind, score: round(results.reference.score) },
      evaluators: results.raters.map((r) => ({
        user_id: r.user_id,
        evaluation_id: r.evaluation_id,
        score: r.score,
        deviation: round(r.deviation),
        is_expert: r.is_expert,
      })),
      items: results.items.map((i) => ({
        item_id: i.item_id,
        agreement: round(i.agreement),
        disagreement: i.disagreement,
        answers: i.cells.map((c) => ({ user_id: c.user_id, value: c.value, points: c.points })),
      })),
      alpha: round(results.alpha.alpha),
      alpha_by_type: results.alphaByType.map((t) => ({
        item_type: t.item_type,
        level: t.level,
        alpha: round(t.result.alpha),
        pairable: t.result.pairable,
        items: t.result.units,
      })),
      alpha_band: results.reading.band,
      alpha_reading: results.reading.words,
    },
  };
}

async function viewJson(deps: AppDeps, actor: Actor, id: number) {
  const session = await visibleSessionOr404(deps.db, actor, id);
  return sessionJson(await sessionView(deps, actor, session));
}

type Handler = (req: Request, res: Response) => Promise<void>;

function list(deps: AppDeps): Handler {
  return async (req, res) => {
    const query = parseInput(sessionListSchema, req.query);
    const actor = actorOf(req);
    const scope = await teamScope(deps.db, actor);
    const rows = await listSessions(deps.db, {
      scope,
      actor,
      status: query.status,
      beforeId: query.cursor,
      limit: query.limit + 1,
    });
    const { items, last } = keysetPage(rows, query.limit);
    res.json({
      items: items.map((s) => ({
        id: s.id,
        title: s.title,
        status: s.status,
        blind_until: s.blind_until,
        participants: Number(s.participant_count),
        submitted: Number(s.submitted_count),
        created_at: s.created_at,
        closed_at: s.closed_at,
      })),
      next_cursor: last ? String(last.id) : null,
    });
  };
}

function open(deps: AppDeps): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const session = await openSession(deps, actor, formBody(req), clientIp(req));
    res.status(201).json(await viewJson(deps, actor, session.id));
  };
}

function show(deps: AppDeps): Handler {
  return async (req, res) => {
    res.json(await viewJson(deps, actorOf(req), sessionId(req)));
  };
}

function close(deps: AppDeps): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    await closeSession(deps, actor, sessionId(req), clientIp(req));
    res.json(await viewJson(deps, actor, sessionId(req)));
  };
}

export function calibrationApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);
  router.get('/', staff, list(deps));
  router.post('/', staff, open(deps));
  router.get('/:id', staff, show(deps));
  router.post('/:id/close', staff, close(deps));
  return router;
}
