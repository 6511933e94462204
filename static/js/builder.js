// Rubric builder: show only the fields that matter for each item's answer type. The server handles adding,
// removing and reordering (the buttons work without this script).
'use strict';

(function () {
  const form = document.querySelector('.rubric-builder');
  if (!form) return;

  function sync(select) {
    const prefix = select.name.replace(/type$/, '');
    const type = select.value;
    const points = form.querySelector('[name="' + prefix + 'points"]');
    const max = form.querySelector('[name="' + prefix + 'max"]');
    if (points) points.closest('div').hidden = type !== 'yes_no';
    if (max) max.closest('div').hidden = type !== 'scale';
  }

  form.querySelectorAll('select[name$="_type"]').forEach(function (select) {
    sync(select);
    select.addEventListener('change', function () {
      sync(select);
      // A choice item needs its option rows: let the server render them.
      if (select.value === 'choice' && !select.closest('.builder-item').querySelector('.builder-options')) {
        const op = document.createElement('input');
        op.type = 'hidden';
        op.name = 'op';
        op.value = 'refresh';
        form.appendChild(op);
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      }
    });
  });
})();
