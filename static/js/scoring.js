// The scoring form: live score with the server's own math (score-math.js), keyboard scoring, autosave
// of drafts, "insert current time" into comments, and a check before submit that points to what is missing.
'use strict';

(function () {
  const form = document.querySelector('[data-score-form]');
  const modelNode = document.getElementById('rubric-model');
  if (!form || !modelNode || !window.ScoreMath) return;
  const model = JSON.parse(modelNode.textContent);
  const itemsById = new Map();
  model.sections.forEach(function (s) {
    s.items.forEach(function (i) {
      itemsById.set(String(i.id), i);
    });
  });
  const itemNodes = Array.from(form.querySelectorAll('[data-item]'));
  const liveScore = form.querySelector('[data-live-score]');
  const verdict = form.querySelector('[data-live-verdict]');
  const status = form.querySelector('[data-autosave-status]');
  const revision = form.querySelector('[data-revision]');
  const timeSpent = form.querySelector('[data-time-spent]');
  const csrf = form.querySelector('input[name="_csrf"]').value;
  const autosaveUrl = form.dataset.autosaveUrl;
  const audio = document.getElementById('call-audio');

  function valueOf(node) {
    const checked = node.querySelector('input[type=radio]:checked');
    if (!checked) return undefined;
    const item = itemsById.get(node.dataset.item);
    if (checked.value === 'na' || item.type !== 'scale') return checked.value;
    return Number(checked.value);
  }

  function answers() {
    const map = {};
    itemNodes.forEach(function (node) {
      const v = valueOf(node);
      if (v !== undefined) map[node.dataset.item] = v;
    });
    return map;
  }

  function pct(score) {
    return score === null ? 'n/a' : (Math.round(score * 10) / 10).toFixed(1) + '%';
  }

  function render() {
    const result = window.ScoreMath.computeScore(model, answers());
    result.sections.forEach(function (s) {
      const out = form.querySelector('[data-section-score="' + s.id + '"]');
      if (out)
        out.textContent = s.included ? pct(s.score) + (s.below_threshold ? ' (below its threshold)' : '') : 'N/A';
    });
    liveScore.textContent = pct(result.score);
    verdict.textContent = '';
    const badge = document.createElement('span');
    if (result.score === null) {
      badge.className = 'badge badge-neutral';
      badge.textContent = 'no score yet';
    } else if (result.critical_failed) {
      badge.className = 'badge badge-fail';
      badge.textContent = 'critical fail (raw ' + pct(result.raw_score) + ')';
    } else {
      badge.className = 'badge ' + (result.passed ? 'badge-pass' : 'badge-fail');
      badge.textContent = result.passed ? 'pass' : 'below ' + model.pass_threshold + '%';
    }
    verdict.appendChild(badge);
  }

  // Active time on the page, sent with each save as the seconds added since the last one.
  let activeSeconds = 0;
  setInterval(function () {
    if (document.visibilityState === 'visible' && document.hasFocus()) activeSeconds += 1;
  }, 1000);

  function payload() {
    const list = [];
    itemNodes.forEach(function (node) {
      const id = node.dataset.item;
      const v = valueOf(node);
      if (v === undefined) return;
      const comment = form.querySelector('[name="c_' + id + '"]').value;
      const at = form.querySelector('[name="t_' + id + '"]').value;
      list.push({ item_id: Number(id), value: v, comment: comment, at_s: at === '' ? null : Number(at) });
    });
    return { answers: list, comment: form.querySelector('[name="comment"]').value, revision: Number(revision.value) };
  }

  let timer = null;
  let saving = false;
  let inFlight = null;
  function scheduleSave() {
    if (!autosaveUrl) return;
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  }

  function save() {
    inFlight = doSave().finally(function () {
      inFlight = null;
    });
    return inFlight;
  }

  async function doSave() {
    if (saving) return scheduleSave();
    saving = true;
    const spent = activeSeconds;
    const body = Object.assign(payload(), { time_spent_s: spent });
    status.textContent = 'Saving…';
    try {
      const res = await fetch(autosaveUrl, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body),
        credentials: 'same-origin',
      });
      const json = await res.json().catch(function () {
        return null;
      });
      if (res.ok) {
        revision.value = String(json.revision);
        activeSeconds -= spent;
        status.textContent = 'Draft saved ' + new Date().toLocaleTimeString();
      } else {
        status.textContent = (json && json.error && json.error.message) || 'Not saved (HTTP ' + res.status + ').';
        status.setAttribute('role', 'alert');
      }
    } catch {
      status.textContent = 'Not saved: the connection failed. Your answers are still on this page.';
    } finally {
      saving = false;
    }
  }

  form.addEventListener('change', function () {
    render();
    scheduleSave();
  });
  form.addEventListener('input', function (e) {
    if (e.target.tagName === 'TEXTAREA') scheduleSave();
  });

  function formatStamp(seconds) {
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return h > 0 ? h + ':' + mm + ':' + ss : mm + ':' + ss;
  }

  form.addEventListener('click', function (e) {
    const button = e.target.closest('[data-insert-time]');
    if (!button) return;
    const textarea = document.getElementById(button.dataset.insertTime);
    const t = audio ? audio.currentTime : 0;
    const stamp = formatStamp(t);
    const at = textarea.selectionStart || textarea.value.length;
    textarea.value =
      textarea.value.slice(0, at) +
      (at && !/\s$/.test(textarea.value.slice(0, at)) ? ' ' : '') +
      stamp +
      ' ' +
      textarea.value.slice(at);
    const hidden = form.querySelector('[name="t_' + button.dataset.insertTime.slice(2) + '"]');
    if (hidden && hidden.value === '') hidden.value = String(Math.floor(t));
    textarea.focus();
    scheduleSave();
  });

  function currentItem() {
    const active = document.activeElement;
    return active && active.closest ? active.closest('[data-item]') : null;
  }

  function focusItem(node) {
    if (!node) return;
    const target = node.querySelector('input[type=radio]:checked') || node.querySelector('input[type=radio]');
    (target || node).focus();
    node.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  document.addEventListener(
    'keydown',
    function (e) {
      const tag = (e.target.tagName || '').toLowerCase();
      if (tag === 'textarea' || (tag === 'input' && e.target.type !== 'radio') || e.ctrlKey || e.metaKey || e.altKey)
        return;
      const node = currentItem();
      if (/^[0-9-]$/.test(e.key) && node) {
        const radio = node.querySelector('input[type=radio][data-key="' + e.key + '"]');
        if (radio) {
          e.preventDefault();
          radio.checked = true;
          radio.focus();
          radio.dispatchEvent(new Event('change', { bubbles: true }));
        }
      } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && node) {
        e.preventDefault();
        e.stopPropagation();
        const index = itemNodes.indexOf(node) + (e.key === 'ArrowDown' ? 1 : -1);
        focusItem(itemNodes[Math.max(0, Math.min(itemNodes.length - 1, index))]);
      } else if (e.key === 'n') {
        e.preventDefault();
        focusItem(
          itemNodes.find(function (n) {
            return valueOf(n) === undefined;
          }) || itemNodes[0],
        );
      }
    },
    true,
  );

  form.addEventListener('submit', function (e) {
    if ('preview' in form.dataset) {
      e.preventDefault();
      return;
    }
    clearTimeout(timer);
    // An autosave on its way has moved the revision on: wait for it, then submit with the new one.
    if (inFlight) {
      e.preventDefault();
      const submitter = e.submitter;
      inFlight.then(function () {
        form.requestSubmit(submitter);
      });
      return;
    }
    timeSpent.value = String(activeSeconds);
    const op = e.submitter ? e.submitter.value : '';
    if (op !== 'submit' && op !== 'rescore') return;
    let firstMissing = null;
    itemNodes.forEach(function (node) {
      const item = itemsById.get(node.dataset.item);
      const v = valueOf(node);
      const comment = form.querySelector('[name="c_' + node.dataset.item + '"]').value.trim();
      const points = window.ScoreMath.itemPoints(item, v);
      const needsComment =
        node.dataset.commentRequired && points !== null && points < window.ScoreMath.itemMax(item) && !comment;
      const missing = v === undefined || needsComment;
      node.classList.toggle('missing', missing);
      if (missing && !firstMissing) firstMissing = node;
    });
    if (firstMissing) {
      e.preventDefault();
      status.setAttribute('role', 'alert');
      status.textContent =
        valueOf(firstMissing) === undefined ? 'Answer every item before submitting.' : 'This answer needs a comment.';
      focusItem(firstMissing);
    }
  });

  render();
})();
