// mistguard status page: reads the admin JSON views once a second and shows them. No data is in
// the page itself; the admin token, when the listener needs one, lives in `token` below and
// nowhere else (no storage, no cookie). Text only ever goes in through textContent.
(function () {
  'use strict';

  const REFRESH_MS = 1000;
  const REQUEST_TIMEOUT_MS = 2500;
  const NO_DATA_AFTER_MS = 3000;
  const RATE_WINDOW_MS = 10000; // requests/s and decisions over this much page history
  const STALE_LOOKBACK_MS = 5000; // "serving stale" when a stale answer was counted this recently
  const SPARK_POINTS = 300; // five minutes of queue depth at one poll a second
  const MAIN_BREAKER = 'mist';
  const GOOD = new Set(['proxied', 'coalesced', 'cached', 'queued']);

  let token = null;
  let history = []; // [{at, routes: Map(name -> {answered, decisions})}], oldest first
  let depths = [];
  let lastOkAt = 0;
  let lastOkTime = '';
  let lastError = '';
  let timer = null;
  let inFlight = false;
  let again = false;

  const $ = (id) => document.getElementById(id);

  class NeedToken extends Error {}

  function authHeaders() {
    return token === null ? {} : { Authorization: 'Bearer ' + token };
  }

  async function call(path, method) {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      const r = await fetch(path, { method: method, headers: authHeaders(), cache: 'no-store',
                                    credentials: 'omit', signal: abort.signal });
      if (r.status === 401) {
        throw new NeedToken();
      }
      const body = await r.json().catch(() => ({ error: 'not JSON' }));
      if (!r.ok) {
        throw new Error(path + ': ' + r.status + ' ' + (body.error || ''));
      }
      return body;
    } finally {
      clearTimeout(timeout);
    }
  }

  // ---- polling -------------------------------------------------------------------------------

  async function poll() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    clearTimeout(timer);
    const started = performance.now();
    try {
      const [breakers, routes, inflight, queue] = await Promise.all([
        call('/admin/breakers', 'GET'), call('/admin/routes', 'GET'),
        call('/admin/inflight', 'GET'), call('/admin/invalidations', 'GET')]);
      lastOkAt = performance.now();
      lastOkTime = new Date().toLocaleTimeString();
      lastError = '';
      $('login').hidden = true;
      $('status').hidden = false;
      remember(routes.routes, queue.depth);
      renderBreakers(breakers.breakers);
      renderRoutes(routes.routes);
      renderStale(routes.routes);
      renderInflight(inflight.inflight);
      renderQueue(queue);
      renderTriggers(routes.triggers);
    } catch (e) {
      if (e instanceof NeedToken) {
        inFlight = false;
        askForToken(token === null ? '' : 'That token was refused.');
        return; // polling resumes once a token is given
      }
      lastError = e.name === 'AbortError' ? 'no answer within ' + REQUEST_TIMEOUT_MS / 1000 + ' s' : e.message;
      if (!$('login').hidden) {
        // Still asking for the token: the freshness line is not shown, so say it here.
        $('login-error').textContent = 'No answer with that token: ' + lastError;
      }
    }
    inFlight = false;
    renderFreshness();
    // Once a second from the start of each poll, not a second after its answers: a slow answer
    // does not stretch the cadence.
    timer = setTimeout(poll, again ? 0 : Math.max(0, REFRESH_MS - (performance.now() - started)));
    again = false;
  }

  function askForToken(error) {
    token = null;
    $('status').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = error;
    $('freshness').textContent = 'Waiting for the admin token';
    $('token').focus();
  }

  function remember(routes, depth) {
    const now = performance.now();
    const byName = new Map();
    for (const r of routes) {
      if (r.stats) {
        byName.set(r.name, { answered: r.stats.answered, decisions: r.stats.decisions });
      }
    }
    // Counters only grow while one mistguard runs: a smaller one means it restarted (or a reload
    // replaced the route). Differences against the old counters would be negative rates and would
    // hide the stale answers being served, so the rates count again from here.
    const last = history[history.length - 1];
    if (last && Array.from(byName).some(([name, counts]) => {
      const before = last.routes.get(name);
      return before && (counts.answered < before.answered ||
        Object.entries(before.decisions).some(([reason, count]) => (counts.decisions[reason] || 0) < count));
    })) {
      history = [];
    }
    history.push({ at: now, routes: byName });
    while (history.length > 2 && now - history[1].at >= RATE_WINDOW_MS) {
      history.shift();
    }
    depths.push(depth);
    if (depths.length > SPARK_POINTS) {
      depths.shift();
    }
  }

  /** The oldest remembered poll at most `ms` old (or the oldest of all), or null with one poll. */
  function baseWithin(ms) {
    if (history.length < 2) {
      return null;
    }
    const now = history[history.length - 1].at;
    return history.find((h) => now - h.at <= ms) || history[0];
  }

  // ---- rendering -----------------------------------------------------------------------------

  function renderFreshness() {
    const f = $('freshness');
    const main = $('status');
    if (!$('login').hidden || (lastOkAt === 0 && !lastError)) {
      return; // asking for the token, or the first answers are still on their way
    }
    const silent = lastOkAt === 0 ? null : performance.now() - lastOkAt;
    if (lastError && (silent === null || silent > NO_DATA_AFTER_MS)) {
      f.textContent = 'NO DATA' + (silent === null ? '' : ' for ' + Math.round(silent / 1000) + ' s') +
        ': ' + lastError;
      f.className = 'freshness no-data';
      main.classList.add('no-data');
      document.title = 'NO DATA · mistguard';
      return;
    }
    f.textContent = 'Updated ' + lastOkTime + ', every second' +
      (lastError ? ' (last refresh failed: ' + lastError + ')' : '');
    f.className = 'freshness';
    main.classList.remove('no-data');
  }

  function renderBreakers(breakers) {
    const main = breakers.find((b) => b.name === MAIN_BREAKER) || breakers[0];
    const select = $('force-breaker');
    const names = breakers.map((b) => b.name);
    if (names.join('\n') !== Array.from(select.options, (o) => o.value).join('\n')) {
      const chosen = select.value; // rebuilt only when the names change: an open list stays open
      select.replaceChildren(...names.map(option));
      select.value = names.includes(chosen) ? chosen : (main ? main.name : '');
    }
    setState($('mist'), $('mist-state'), main ? main.effective_state : 'unknown',
             main ? main.effective_state.replace('_', '-') : 'no breaker');
    $('mist-name').textContent = main ? main.name : '';
    $('mist-left').textContent = main ? timeLeft(main) : '–';
    $('mist-rate').textContent = main ? main.failure_rate + ' % of ' + main.calls + ' calls' : '–';
    $('mist-last').textContent = main ? lastFailure(main) : '–';
    $('mist-forced').textContent = main ? override(main) : '–';
    document.title = (main ? main.effective_state.replace('_', '-').toUpperCase() + ' · ' : '') + 'mistguard status';

    const others = breakers.filter((b) => b !== main);
    $('other-breakers').hidden = others.length === 0;
    $('breakers').tBodies[0].replaceChildren(...others.map((b) => row([
      ['Breaker', b.name],
      ['State', decorated(b.effective_state.replace('_', '-'), b.effective_state === 'closed' ? 'd-ok' : 'd-bad')],
      ['Failure rate', b.failure_rate + ' % of ' + b.calls + ' calls'],
      ['Last failure', lastFailure(b)],
      ['Override', override(b)]])));
  }

  function timeLeft(b) {
    if (b.effective_state === 'open') {
      return duration(b.forced === 'open' ? b.forced_remaining_ms : b.open_remaining_ms);
    }
    return b.effective_state === 'half_open' ? 'trying Mist (' + b.trials_out + ' trial calls out)' : '–';
  }

  function lastFailure(b) {
    return b.last_failure ? b.last_failure.reason + ', ' + duration(b.last_failure.ago_ms) + ' ago' : 'none since start';
  }

  function override(b) {
    return b.forced === 'none' ? 'none' : 'forced ' + b.forced + ', ' + duration(b.forced_remaining_ms) + ' left';
  }

  function renderRoutes(routes) {
    const newest = history[history.length - 1];
    const base = baseWithin(RATE_WINDOW_MS);
    const seconds = base ? (newest.at - base.at) / 1000 : 0;
    // Routes nobody has called yet take one line, so the busy ones fit on a screen.
    const asked = routes.filter((r) => r.stats && (r.stats.answered > 0 || r.stats.upstream_in_flight > 0));
    const idle = routes.filter((r) => r.stats && !asked.includes(r));
    $('routes-idle').textContent = idle.length ? 'Not asked since start: ' + idle.map((r) => r.name).join(', ') + '.' : '';
    $('routes').hidden = asked.length === 0;
    $('routes').tBodies[0].replaceChildren(...asked.map((r) => {
      const before = base && base.routes.get(r.name);
      const name = document.createElement('span');
      name.textContent = r.name;
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = r.kind;
      return row([
        ['Route', [name, kind]],
        ['Requests/s', before && seconds > 0 ? ((r.stats.answered - before.answered) / seconds).toFixed(1) : '…'],
        ['Answers by decision', decisions(r.stats.decisions, before)],
        ['p50 / p99 against the budget', latency(r)],
        ['At Mist', String(r.stats.upstream_in_flight)],
        ['Stale age', r.stats.recent && r.stats.recent.stale_answers > 0
          ? 'mean ' + age(r.stats.recent.stale_mean_age_ms) + ' (' + r.stats.recent.stale_answers + ' in the last minute)'
          : '–']]);
    }));
  }

  function decisions(now, before) {
    if (!before) {
      return '…';
    }
    const chips = [];
    for (const [reason, count] of Object.entries(now)) {
      const delta = count - (before.decisions[reason] || 0);
      if (delta > 0) {
        const kind = GOOD.has(reason) ? 'd-ok' : reason === 'stale' ? 'd-stale' : 'd-bad';
        const chip = decorated(reason + ' ' + delta, kind);
        chip.classList.add('chip');
        chips.push(chip);
      }
    }
    return chips.length ? chips : 'none';
  }

  function latency(r) {
    const recent = r.stats.recent;
    const budget = r.timeout_ms !== undefined ? r.timeout_ms
      : (r.when_sent_to_mist ? r.when_sent_to_mist.timeout_ms : undefined);
    if (!recent || recent.answers === 0 || recent.p99_ms === null) {
      return 'no answers in the last minute';
    }
    const text = document.createElement('span');
    // A histogram knows the bucket: answers just past a bound (the budget is one) would be estimated
    // well past it, so past the budget the page says what is known, not the estimate.
    const over = budget && recent.p99_bucket.above_ms >= budget;
    text.textContent = 'p50 ' + duration(recent.p50_ms) + ' · p99 ' + (over
      ? 'over the budget of ' + duration(budget) + (recent.p99_bucket.at_most_ms === null ? ''
        : ' (at most ' + duration(recent.p99_bucket.at_most_ms) + ')')
      : duration(recent.p99_ms) + (budget ? ' of ' + duration(budget) + ' (' +
        Math.round(100 * recent.p99_ms / budget) + ' %)' : ''));
    if (!budget) {
      return text;
    }
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = budget;
    meter.low = budget * 0.5;
    meter.high = budget * 0.8;
    meter.optimum = 0;
    meter.value = Math.min(recent.p99_ms, budget);
    if (over || recent.p99_ms >= budget * 0.8) {
      text.className = 'near-budget';
      text.textContent += over ? '' : ', near the budget';
    }
    return [meter, text];
  }

  function renderStale(routes) {
    const base = baseWithin(STALE_LOOKBACK_MS);
    const newest = history[history.length - 1];
    if (!base) {
      setState($('stale'), $('stale-state'), 'unknown', '…');
      $('stale-detail').textContent = 'Counting…';
      return;
    }
    const serving = [];
    for (const r of routes) {
      const now = newest.routes.get(r.name);
      const before = base.routes.get(r.name);
      const delta = now && before ? now.decisions.stale - before.decisions.stale : 0;
      if (delta > 0) {
        const recent = r.stats.recent;
        const meanAge = recent && recent.stale_mean_age_ms !== null ? ', mean age ' + age(recent.stale_mean_age_ms) : '';
        const allowed = r.stale ? ' (allowed up to ' + duration(r.stale.max_age_ms) + ')' : '';
        serving.push(r.name + ': ' + delta + ' in the last ' + Math.round((newest.at - base.at) / 1000) + ' s' +
                     meanAge + allowed);
      }
    }
    if (serving.length) {
      setState($('stale'), $('stale-state'), 'serving', 'serving stale');
      $('stale-detail').textContent = 'Mist is not answering; callers get last-known-good data. ' + serving.join('; ');
    } else {
      setState($('stale'), $('stale-state'), 'none', 'no stale answers');
      $('stale-detail').textContent = 'No answer from stored data in the last ' + STALE_LOOKBACK_MS / 1000 + ' s.';
    }
  }

  function renderInflight(attempts) {
    const sorted = attempts.slice().sort((a, b) => b.age_ms - a.age_ms);
    $('inflight-none').hidden = sorted.length > 0;
    $('inflight').hidden = sorted.length === 0;
    $('inflight').tBodies[0].replaceChildren(...sorted.slice(0, 50).map((a) => row([
      ['Route', a.route], ['Attempt', String(a.attempt)], ['Age', duration(a.age_ms)],
      ['Deadline in', a.deadline_in_ms < 0 ? 'passed ' + duration(-a.deadline_in_ms) + ' ago' : duration(a.deadline_in_ms)]])));
  }

  function renderQueue(q) {
    $('queue-depth').textContent = String(q.depth);
    $('queue-oldest').textContent = q.depth > 0 ? duration(q.oldest_pending_ms) : '–';
    $('queue-inflight').textContent = String(q.in_flight);
    $('queue-sent').textContent = q.sent + ' / ' + q.failed;
    $('queue-rejected').textContent = String(q.rejected);
    const max = Math.max(1, ...depths);
    const step = 300 / (SPARK_POINTS - 1);
    const offset = SPARK_POINTS - depths.length;
    $('spark-line').setAttribute('points', depths.map((d, i) =>
      ((offset + i) * step).toFixed(1) + ',' + (38 - 36 * d / max).toFixed(1)).join(' '));
    $('spark-caption').textContent = 'Depth over the last ' + Math.ceil(depths.length / 60) +
      ' min (this page\'s own memory): now ' + q.depth + ', highest ' + Math.max(0, ...depths) + '.';
  }

  function renderTriggers(t) {
    $('triggers').hidden = !t;
    if (!t) {
      return;
    }
    $('triggers-where').textContent = t.listen + ' → ' + t.upstream;
    $('triggers-breaker').textContent = t.breaker.state.replace('_', '-') + ', ' + t.breaker.failure_rate + ' % failed' +
      (t.breaker.forced !== 'none' ? ', forced ' + t.breaker.forced : '');
    $('triggers-admission').textContent = t.admission.in_flight + ' of ' + t.admission.max_concurrent +
      ' in flight, ' + t.admission.queued + ' queued, ' + t.admission.rejected + ' rejected';
    $('triggers-delivery').textContent = t.delivery.pending + ' pending, ' + t.delivery.delivered + ' delivered, ' +
      t.delivery.retried + ' retried, ' + t.delivery.dropped + ' dropped';
    $('trigger-routes').tBodies[0].replaceChildren(...t.routes.map((r) => row([
      ['Trigger', r.trigger], ['Blocking', r.blocking ? 'yes' : 'no (queued)'],
      ['Timeout', r.timeout_ms !== undefined ? duration(r.timeout_ms) : '–'],
      ['When catalyst-api fails', r.fallback ? r.fallback + (r.otherwise ? ', else ' + r.otherwise : '') : '–']])));
  }

  // ---- small helpers -------------------------------------------------------------------------

  function setState(tile, el, cls, text) {
    tile.classList.remove('closed', 'open', 'half_open', 'serving', 'none', 'unknown');
    tile.classList.add(cls);
    el.className = 'state ' + cls;
    el.textContent = text;
  }

  /** A table row whose cells carry their column's name (the phone layout shows it). */
  function row(cells) {
    const tr = document.createElement('tr');
    for (const [label, content] of cells) {
      const td = document.createElement('td');
      td.dataset.label = label;
      if (Array.isArray(content)) {
        td.append(...content);
      } else {
        td.append(content); // a string becomes a text node
      }
      tr.append(td);
    }
    return tr;
  }

  function decorated(text, cls) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    return span;
  }

  function option(value) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = value;
    return o;
  }

  /** A stale answer's age: counted in whole seconds (its Age header), so finer would be made up. */
  function age(ms) {
    return ms < 1000 ? 'under 1 s' : (ms / 1000).toFixed(1) + ' s';
  }

  function duration(ms) {
    if (ms === null || ms === undefined) {
      return '–';
    }
    if (ms < 10) {
      return ms.toFixed(2) + ' ms';
    }
    if (ms < 1000) {
      return Math.round(ms) + ' ms';
    }
    if (ms < 60000) {
      return (ms / 1000).toFixed(1) + ' s';
    }
    const minutes = Math.floor(ms / 60000);
    const seconds = Math.floor((ms % 60000) / 1000);
    return minutes + ' min' + (seconds ? ' ' + seconds + ' s' : '');
  }

  // ---- operator actions ----------------------------------------------------------------------

  async function act(action) {
    const name = $('force-breaker').value;
    const forSelect = $('force-for');
    const forLabel = forSelect.options[forSelect.selectedIndex].textContent;
    const question = action === 'clear'
      ? 'Clear the operator override of breaker "' + name + '"? Its own state applies again at once.'
      : action === 'force-open'
        ? 'Force breaker "' + name + '" OPEN for ' + forLabel + '?\n\nNo call goes to Mist on its routes until ' +
          'then: reads are answered stale where allowed, everything else is rejected.'
        : 'Force breaker "' + name + '" CLOSED for ' + forLabel + '?\n\nEvery call goes to Mist until then, ' +
          'and its failures do not open the breaker.';
    if (!window.confirm(question)) {
      $('action-result').textContent = 'Cancelled: nothing was changed.';
      return;
    }
    const path = '/admin/breakers/' + encodeURIComponent(name) + '/' + action +
      (action === 'clear' ? '' : '?for=' + encodeURIComponent(forSelect.value));
    try {
      const answer = await call(path, 'POST');
      $('action-result').textContent = 'Done: ' + answer.action + ' ' + answer.breaker.name +
        (answer.for ? ' for ' + answer.for : '') + '.';
    } catch (e) {
      if (e instanceof NeedToken) {
        askForToken('That token was refused.');
        return;
      }
      $('action-result').textContent = 'Refused: ' + e.message;
    }
    poll();
  }

  function start() {
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault(); // nothing is submitted anywhere (form-action 'none')
      token = $('token').value;
      $('token').value = '';
      $('login-error').textContent = '';
      poll();
    });
    $('force-open').addEventListener('click', () => act('force-open'));
    $('force-close').addEventListener('click', () => act('force-close'));
    $('force-clear').addEventListener('click', () => act('clear'));
    setInterval(renderFreshness, 1000); // "NO DATA for n s" keeps counting while a request hangs
    poll();
  }

  start();
})();
