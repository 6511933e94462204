// Suggest mode on the scoring form: the transcript lines that a rule's evidence points at are marked, the
// matched words highlighted; clicking a piece of evidence (player.js seeks the recording) brings its lines
// forward; and an answer changed away from the suggestion says so beside the item.
(function () {
  const form = document.querySelector('[data-score-form]');
  if (!form) return;
  const cues = Array.from(document.querySelectorAll('[data-transcript] li[data-start]'));

  function cuesAt(button) {
    const start = Number(button.dataset.evidenceStart);
    const end = Number(button.dataset.evidenceEnd);
    if (button.dataset.evidenceKind === 'line') {
      return cues.filter(function (cue) {
        return Math.abs(Number(cue.dataset.start) - start) < 0.01;
      });
    }
    // An audio stretch: the lines it overlaps.
    return cues.filter(function (cue) {
      return Number(cue.dataset.start) < end && Number(cue.dataset.end) > start;
    });
  }

  function highlightMatch(cue, range) {
    const text = cue.querySelector('.cue-text');
    if (!text || text.querySelector('mark') || !range) return;
    const parts = range.split(',').map(Number);
    const whole = text.textContent;
    if (!(parts[0] >= 0 && parts[1] > parts[0] && parts[1] <= whole.length)) return;
    const mark = document.createElement('mark');
    mark.textContent = whole.slice(parts[0], parts[1]);
    text.textContent = '';
    text.append(whole.slice(0, parts[0]), mark, whole.slice(parts[1]));
  }

  const evidence = Array.from(form.querySelectorAll('.suggestion button.evidence'));
  evidence.forEach(function (button) {
    cuesAt(button).forEach(function (cue) {
      cue.classList.add('evidence');
      if (button.dataset.evidenceKind === 'line') highlightMatch(cue, button.dataset.match);
    });
  });

  document.addEventListener('click', function (event) {
    const button = event.target.closest('.suggestion button.evidence');
    if (!button) return;
    cues.forEach(function (cue) {
      cue.classList.remove('evidence-focus');
    });
    const lines = cuesAt(button);
    lines.forEach(function (cue) {
      cue.classList.add('evidence-focus');
    });
    if (lines[0]) lines[0].scrollIntoView({ block: 'nearest' });
  });

  function showState(item) {
    const suggestion = item.querySelector('.suggestion');
    if (!suggestion || suggestion.dataset.suggested === '') return;
    const checked = item.querySelector('input[type=radio]:checked');
    const changed = !checked || checked.value !== suggestion.dataset.suggested;
    const state = suggestion.querySelector('[data-suggestion-state]');
    suggestion.classList.toggle('changed', changed);
    state.textContent = changed ? 'changed from suggestion' : 'suggested';
  }

  form.addEventListener('change', function (event) {
    const item = event.target.closest('[data-item]');
    if (item) showState(item);
  });
  form.querySelectorAll('[data-item]').forEach(showState);
})();
