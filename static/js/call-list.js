// Keyboard navigation of the call list: j/k move, Enter opens, s starts scoring. Not while typing in a field.
'use strict';

(function callListKeys() {
  const table = document.querySelector('table[data-call-list]');
  if (!table) return;
  const rows = Array.from(table.querySelectorAll('tbody tr[data-call-id]'));
  const startForm = document.getElementById('start-scoring');
  let current = -1;

  function select(index) {
    if (rows.length === 0) return;
    const next = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) rows[current].classList.remove('row-current');
    current = next;
    const row = rows[current];
    row.classList.add('row-current');
    const link = row.querySelector('a');
    if (link) link.focus();
  }

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
    );
  }

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const row = rows[current];
    if (event.key === 'j') select(current + 1);
    else if (event.key === 'k') select(current < 0 ? 0 : current - 1);
    else if (event.key === 'Enter' && row && !(event.target instanceof HTMLAnchorElement)) {
      const link = row.querySelector('a');
      if (link) window.location.assign(link.href);
    } else if (event.key === 's' && row && startForm && row.dataset.scorable) {
      startForm.querySelector('input[name="call_id"]').value = row.dataset.callId;
      startForm.submit();
    } else return;
    event.preventDefault();
  });

  // Clicking a row (or focusing its link) makes it the current one.
  table.addEventListener('focusin', (event) => {
    const index = rows.indexOf(event.target.closest('tr'));
    if (index >= 0 && index !== current) {
      if (current >= 0) rows[current].classList.remove('row-current');
      current = index;
      rows[current].classList.add('row-current');
    }
  });
})();
