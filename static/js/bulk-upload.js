// Bulk upload with a progress bar per file: check the CSV first, then send each audio file on its own
// request so one bad or slow file never holds up the rest. Without this script the form posts everything
// at once and the server answers with the same summary.
'use strict';

(function () {
  const form = document.querySelector('[data-bulk-upload]');
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const panel = document.querySelector('[data-bulk-progress]');
  const list = document.querySelector('[data-bulk-list]');
  const summary = document.querySelector('[data-bulk-summary]');
  const csrf = form.dataset.csrf;

  function item(label) {
    const li = document.createElement('li');
    const name = document.createElement('strong');
    name.textContent = label;
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    const status = document.createElement('span');
    status.textContent = ' waiting';
    li.append(name, status, bar);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function send(body, onProgress) {
    return new Promise(function (resolve) {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('action'));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable && onProgress) onProgress((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', function () {
        let json;
        try {
          json = JSON.parse(xhr.responseText);
        } catch {
          json = null;
        }
        resolve({ status: xhr.status, json: json });
      });
      xhr.addEventListener('error', function () {
        resolve({ status: 0, json: null });
      });
      xhr.send(body);
    });
  }

  function show(entry, outcome) {
    entry.bar.value = 100;
    entry.status.textContent = ' ' + outcome.status + ': ' + outcome.message;
    entry.li.className = 'status-' + outcome.status;
    if (outcome.call_id) {
      const link = document.createElement('a');
      link.href = '/calls/' + outcome.call_id;
      link.textContent = ' ' + (outcome.external_id || 'call ' + outcome.call_id);
      entry.status.append(' — ', link);
    }
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    const csv = form.querySelector('#csv').files[0];
    const files = Array.from(form.querySelector('#recordings').files);
    if (!csv) return form.querySelector('#csv').focus();
    panel.hidden = false;
    list.textContent = '';
    summary.textContent = 'Checking the CSV…';
    form.querySelector('button[type=submit]').disabled = true;
    const checkBody = new FormData();
    checkBody.append('csv', csv);
    const check = await new Promise(function (resolve) {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/calls/bulk/check');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.addEventListener('load', function () {
        try {
          resolve({ status: xhr.status, json: JSON.parse(xhr.responseText) });
        } catch {
          resolve({ status: xhr.status, json: null });
        }
      });
      xhr.addEventListener('error', function () {
        resolve({ status: 0, json: null });
      });
      xhr.send(checkBody);
    });
    if (check.status !== 200 || !check.json) {
      summary.textContent =
        (check.json && check.json.error && check.json.error.message) || 'The CSV could not be checked.';
      form.querySelector('button[type=submit]').disabled = false;
      return;
    }
    const counts = { created: 0, unchanged: 0, refused: 0 };
    const wanted = new Set(
      check.json.rows
        .map(function (r) {
          return r.recording;
        })
        .filter(Boolean),
    );
    // Transcripts are matched by name like recordings, and travel with their line's recording.
    const transcriptOf = function (row) {
      return (
        row.transcript &&
        files.find(function (f) {
          return f.name === row.transcript;
        })
      );
    };
    const transcriptNames = new Set(
      check.json.rows
        .map(function (r) {
          return r.transcript;
        })
        .filter(Boolean),
    );
    check.json.rows.forEach(function (row) {
      if (
        row.recording &&
        !files.some(function (f) {
          return f.name === row.recording;
        })
      ) {
        show(item('line ' + row.line + ': ' + row.recording), { status: 'refused', message: 'file not chosen' });
        counts.refused += 1;
      }
    });
    for (const file of files) {
      if (transcriptNames.has(file.name) && !wanted.has(file.name)) continue;
      const entry = item(file.name);
      if (!wanted.has(file.name)) {
        show(entry, { status: 'refused', message: 'No line of the CSV names this file.' });
        counts.refused += 1;
        continue;
      }
      entry.status.textContent = ' uploading';
      const body = new FormData();
      body.append('mode', 'given_files');
      body.append('csv', csv);
      body.append('recordings', file, file.name);
      check.json.rows.forEach(function (row) {
        const transcript = row.recording === file.name && transcriptOf(row);
        if (transcript) body.append('recordings', transcript, transcript.name);
      });
      const result = await send(body, function (pct) {
        entry.bar.value = pct;
      });
      const outcomes = (result.json && result.json.outcomes) || [];
      if (!outcomes.length) {
        const message =
          (result.json && result.json.error && result.json.error.message) ||
          'Upload failed (HTTP ' + result.status + ').';
        show(entry, { status: 'refused', message: message });
        counts.refused += 1;
      }
      outcomes.forEach(function (o) {
        show(entry, o);
        counts[o.status] += 1;
      });
    }
    const rest = new FormData();
    rest.append('mode', 'no_recording');
    rest.append('csv', csv);
    check.json.rows.forEach(function (row) {
      const transcript = !row.recording && transcriptOf(row);
      if (transcript) rest.append('recordings', transcript, transcript.name);
    });
    const records = await send(rest);
    ((records.json && records.json.outcomes) || []).forEach(function (o) {
      show(item('line ' + o.line + ' (no recording)'), o);
      counts[o.status] += 1;
    });
    summary.textContent =
      counts.created + ' stored, ' + counts.unchanged + ' already there, ' + counts.refused + ' refused.';
    form.querySelector('button[type=submit]').disabled = false;
  });
})();
