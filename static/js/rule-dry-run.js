// Dry runs as one types. Rubric builder: what an item's automatic rule would answer on the last 50 analysed calls
// (GET /autoqa/dry-run). Topics page: which of them a topic's condition would tag (a textarea with
// data-dry-run="<url>", answering {counts: {tagged, untagged, open}, calls}). With links to the calls. Without
// this script both pages work the same ("Try it" posts the topic form).
'use strict';

(function () {
  if (!window.fetch) return;

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
    if (c.tagged !== undefined) {
      showTopic(panel, body);
      return;
    }
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

  function callList(calls, label) {
    const list = document.createElement('ul');
    calls.forEach(function (call) {
      const li = document.createElement('li');
      const link = text('a', call.external_id);
      link.href = call.url;
      link.target = '_blank';
      link.rel = 'noopener';
      li.appendChild(link);
      li.appendChild(text('span', ': ' + label(call) + call.reason));
      list.appendChild(li);
    });
    return list;
  }

  function showTopic(panel, body) {
    const c = body.counts;
    panel.appendChild(
      text(
        'p',
        'On the last ' +
          body.calls.length +
          ' analysed calls: would tag ' +
          c.tagged +
          ', not ' +
          c.untagged +
          ', cannot be decided ' +
          c.open +
          '.',
      ),
    );
    const tagged = body.calls.filter(function (call) {
      return call.value === true;
    });
    const rest = body.calls.filter(function (call) {
      return call.value !== true;
    });
    const none = function () {
      return '';
    };
    if (tagged.length) panel.appendChild(callList(tagged, none));
    if (rest.length) {
      const details = document.createElement('details');
      details.appendChild(text('summary', 'Would not tag (' + rest.length + ')'));
      details.appendChild(
        callList(rest, function (call) {
          return call.value === null ? 'cannot be decided: ' : '';
        }),
      );
      panel.appendChild(details);
    }
  }

  function check(textarea, url) {
    const panel = panelFor(textarea);
    const rule = textarea.value.trim();
    if (!rule) {
      panel.replaceChildren();
      return;
    }
    fetch(url + '?rule=' + encodeURIComponent(rule), { headers: { Accept: 'application/json' } })
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

  function watch(textarea, url) {
    let timer = null;
    textarea.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        check(textarea, url);
      }, 400);
    });
    if (textarea.value.trim()) check(textarea, url);
  }

  const builder = document.querySelector('.rubric-builder');
  if (builder) {
    builder.querySelectorAll('textarea[name$="_auto"]').forEach(function (textarea) {
      watch(textarea, '/autoqa/dry-run');
    });
  }
  document.querySelectorAll('textarea[data-dry-run]').forEach(function (textarea) {
    // The page's own result of "Try it" is already shown: the script takes over only once the text changes.
    const url = textarea.getAttribute('data-dry-run');
    let timer = null;
    textarea.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        check(textarea, url);
      }, 400);
    });
  });
})();
