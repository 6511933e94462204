// The score math of DOMAIN.md, shared verbatim by the server (src/scoring/score.ts) and the scoring page,
// so the live score in the browser always equals the stored one.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.ScoreMath = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // Scores are stored rounded to 6 decimals: exact enough to reproduce, and identical in every engine.
  function round6(x) {
    return Math.round(x * 1e6) / 1e6;
  }

  function itemMax(item) {
    if (item.type === 'yes_no') return item.max_points;
    if (item.type === 'scale') return item.max_points;
    return item.options.reduce(function (best, o) {
      return Math.max(best, o.points);
    }, 0);
  }

  function itemMin(item) {
    if (item.type === 'choice')
      return item.options.reduce(function (low, o) {
        return Math.min(low, o.points);
      }, Infinity);
    return 0;
  }

  // Points earned for one answer, or null for N/A and unanswered items (they count in neither sum).
  function itemPoints(item, value) {
    if (value === undefined || value === null || value === '' || value === 'na') return null;
    if (item.type === 'yes_no') return value === 'yes' ? item.max_points : value === 'no' ? 0 : null;
    if (item.type === 'scale') {
      const n = Number(value);
      return Number.isInteger(n) && n >= 0 && n <= item.max_points ? n : null;
    }
    const option = item.options.find(function (o) {
      return String(o.id) === String(value);
    });
    return option ? option.points : null;
  }

  /**
   * rubric: { pass_threshold, sections: [{ id, title, weight, threshold, items: [{ id, type, max_points,
   * critical, options: [{ id, points }] }] }] }; answers: { [itemId]: value }.
   * Returns { score, raw_score, passed, critical_failed, sections: [{ id, title, weight, threshold,
   * score, earned, max, included, below_threshold }], failed_items: [itemId], critical_items: [itemId] }.
   */
  function computeScore(rubric, answers) {
    const sections = [];
    const failedItems = [];
    const criticalItems = [];
    let weighted = 0;
    let weights = 0;
    rubric.sections.forEach(function (section) {
      let earned = 0;
      let max = 0;
      section.items.forEach(function (item) {
        const points = itemPoints(item, answers[item.id]);
        if (points === null) return;
        const best = itemMax(item);
        earned += points;
        max += best;
        if (points < best) failedItems.push(item.id);
        if (item.critical && points <= itemMin(item)) criticalItems.push(item.id);
      });
      const included = max > 0;
      const score = included ? round6((100 * earned) / max) : null;
      const below =
        included && section.threshold !== null && section.threshold !== undefined && score < section.threshold;
      if (included) {
        weighted += score * section.weight;
        weights += section.weight;
      }
      sections.push({
        id: section.id,
        title: section.title,
        weight: section.weight,
        threshold: section.threshold === undefined ? null : section.threshold,
        score: score,
        earned: earned,
        max: max,
        included: included,
        below_threshold: below,
      });
    });
    const raw = weights > 0 ? round6(weighted / weights) : null;
    const criticalFailed = criticalItems.length > 0;
    const score = raw === null ? null : criticalFailed ? 0 : raw;
    const sectionFailed = sections.some(function (s) {
      return s.below_threshold;
    });
    const passed = score === null ? null : score >= rubric.pass_threshold && !criticalFailed && !sectionFailed;
    return {
      score: score,
      raw_score: raw,
      passed: passed,
      critical_failed: criticalFailed,
      sections: sections,
      failed_items: failedItems,
      critical_items: criticalItems,
    };
  }

  return { computeScore: computeScore, itemPoints: itemPoints, itemMax: itemMax, round6: round6 };
});
