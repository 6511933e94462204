// Rubric builder: as an item's automatic rule is typed, show what it would answer on the last 50 analysed calls
// (GET /autoqa/dry-run), with links to the calls. Without this script the builder works the same.
'use strict';

(function () {
  const form = document.querySelector('.rubric-builder');
  if (!form || !window.fetch) return;

  function panelFor(textarea) {
    let panel = textarea.parentNode.querySelector('[data-dry-run-for="' + textarea.id + '"]');
    if (!panel) {
      panel = document.createElement('div');
      panel.className = 'dry-run';
      panel.setAttribute('data-dry-run-for', textarea.id);
      panel.setAttribute('aria-live', 'polite');
      textarea.insertAdjacentElement('afterend', panel);
    }
    return panel;
  }

  function text(tag, content) {
    const el = document.createElement(tag);
    el.textContent = content;
    return el;
  }

  function show(panel, body) {
    panel.replaceChildren();
    if (body.error) {
      panel.appendChild(text('small', body.error.message));
      return;
    }
    const c = body.counts;
    panel.appendChild(
      text(
        'p',
        'On the last ' +
          body.calls.length +
          ' analysed calls: "then" ' +
          c.then +
          ', "else" ' +
          c.else +
          ', no answer ' +
          c.none +
          '.',
      ),
    );
    const list = document.createElement('ul');
    body.calls.slice(0, 50).forEach(function (call) {
      const li = document.createElement('li');
      const link = text('a', call.external_id);
      link.href = call.url;
      link.target = '_blank';
      link.rel = 'noopener';
      li.appendChild(link);
      const label = call.branch === null ? 'no answer' : call.branch + ' → ' + call.answer;
      li.appendChild(text('span', ': ' + label + ' (' + call.reason + ')'));
      list.appendChild(li);
    });
    const details = document.createElement('details');
    details.appendChild(text('summary', 'Calls'));
    details.appendChild(list);
    panel.appendChild(details);
  }

  function check(textarea) {
    const panel = panelFor(textarea);
    const rule = textarea.value.trim();
    if (!rule) {
      panel.replaceChildren();
      return;
    }
    fetch('/autoqa/dry-run?rule=' + encodeURIComponent(rule), { headers: { Accept: 'application/json' } })
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        if (textarea.value.trim() === rule) show(panel, body);
      })
      .catch(function () {
        panel.replaceChildren(text('small', 'The dry run is not available right now.'));
      });
  }

  form.querySelectorAll('textarea[name$="_auto"]').forEach(function (textarea) {
    let timer = null;
    textarea.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        check(textarea);
      }, 400);
    });
    if (textarea.value.trim()) check(textarea);
  });
})();
