// What every test page needs, loaded before the page's own script: `window.PageHarness`.
// The page reports to the test's HTTP server (BrowserParticipant, src/test/java/io/lkworker/interop):
// console lines to POST /log (installed here, at load), milestones to POST /event, the final report to
// POST /report. `waitFor` polls a condition, bounded by the page's `timeoutMs` query parameter (default
// 20000 ms) unless told otherwise.
(() => {
  const timeoutMs = Number(new URLSearchParams(location.search).get('timeoutMs') || 20000);

  const post = (path, body) => fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), keepalive: true,
  }).catch(() => {});

  // Every console line to the test's log, then to the real console.
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      const text = args.map((a) => {
        if (a instanceof Error) return `${a.name}: ${a.message}`;
        if (typeof a === 'object') { try { return JSON.stringify(a); } catch (e) { return String(a); } }
        return String(a);
      }).join(' ');
      post('/log', { level, text, t: performance.now() | 0 });
      original(...args);
    };
  }
  window.addEventListener('error', (e) => console.error('page error:', e.message, e.filename + ':' + e.lineno));
  window.addEventListener('unhandledrejection', (e) => console.error('unhandled rejection:', String(e.reason)));

  const status = (text) => { document.getElementById('status').textContent = text; };
  const event = (name, detail) => {
    status(name);
    console.info('event', name, detail || '');
    return post('/event', { name, detail: detail || null });
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  /** Resolves with cond()'s first truthy value, checking every 20 ms, or rejects after ms. */
  async function waitFor(what, cond, ms = timeoutMs) {
    const end = performance.now() + ms;
    for (;;) {
      const v = cond();
      if (v) return v;
      if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(20);
    }
  }

  window.PageHarness = { timeoutMs, post, status, event, sleep, waitFor };
})();
