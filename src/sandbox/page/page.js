/*
 * The sandbox page: a small Slack-like client for the local sandbox. Plain JavaScript, no build
 * step, no framework. Everything the bot sent is rendered from its Block Kit JSON with
 * createElement/textContent only — never innerHTML — so hostile text (an instance named
 * `<img src=x onerror=…>`) is always shown literally.
 *
 * Every command and click goes to /sandbox/api/…, where the server turns it into the request Slack
 * would send, signs it and posts it to the bot's own POST /slack/events.
 */
'use strict';

(function () {
  const API = '/sandbox/api';

  const EMOJI = {
    white_check_mark: '✅', x: '❌', repeat: '🔁', no_entry: '⛔', hourglass_flowing_sand: '⏳',
    hourglass: '⌛', warning: '⚠️', rotating_light: '🚨', arrows_counterclockwise: '🔄',
    octagonal_sign: '🛑', mag: '🔍', grey_question: '❔', ballot_box_with_check: '☑️',
    raised_hand: '✋', information_source: 'ℹ️', snail: '🐌', lock: '🔒', tada: '🎉', eyes: '👀',
    bell: '🔔', heavy_check_mark: '✔️', red_circle: '🔴', large_green_circle: '🟢', stopwatch: '⏱️',
    link: '🔗', memo: '📝', shield: '🛡️', bust_in_silhouette: '👤', thumbsup: '👍', '+1': '👍',
  };

  // Usergroups are not part of the state; the demo has one.
  const USERGROUPS = { S0LEADS: 'leads' };

  const STATUS_CLASS = {
    FAILED: 'st-failed', RUNNING: 'st-running', RETRYING: 'st-moving', TERMINATING: 'st-moving',
    FINISHED: 'st-finished', TERMINATED: 'st-terminated',
  };

  const params = new URLSearchParams(location.search);
  const ui = {
    user: params.get('user') || 'U0RESPONDER',
    channel: params.get('channel') || 'C0INCIDENT',
    view: params.get('view') === 'home' ? 'home' : 'channel',
    state: null,
    dismissed: new Set(),
    notices: [], // local notes shown like Slackbot's: {id, channel, user, text, at}
    history: [],
    historyAt: -1,
    fetching: false,
    again: false,
    stickToBottom: true,
    messageCache: new Map(),
    instanceCache: new Map(),
  };
  let noticeId = 0;

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- DOM helpers

  /** createElement with attributes, listeners and children; strings become text nodes. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
  }

  function append(parent, children) {
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) append(parent, c);
      else if (typeof c === 'string') parent.appendChild(document.createTextNode(c));
      else parent.appendChild(c);
    }
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  /** Makes `container`'s children exactly `nodes`, touching the DOM only when the order changed. */
  function setChildren(container, nodes) {
    const current = Array.from(container.childNodes);
    if (current.length === nodes.length && current.every((n, i) => n === nodes[i])) return;
    // Moving a focused node out and back blurs it: give focus back if it is still on the page.
    const active = document.activeElement;
    clear(container);
    append(container, nodes);
    if (active && active !== document.body && document.contains(active) && document.activeElement !== active) active.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- helpers over the state

  const userName = (id) => {
    const u = ui.state && ui.state.users.find((x) => x.id === id);
    return u ? u.name : id;
  };
  const channelOf = (id) => ui.state && ui.state.channels.find((c) => c.id === id);
  const channelName = (id) => {
    const c = channelOf(id);
    return c ? c.name : id;
  };

  function decodeEntities(s) {
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }

  function emojiText(s, parent) {
    const re = /:([a-z0-9_+-]+):/g;
    let last = 0;
    let m;
    while ((m = re.exec(s))) {
      const e = EMOJI[m[1]];
      if (!e) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(s.slice(last, m.index)));
      parent.appendChild(h('span', { class: 'emoji', title: m[0], role: 'img', 'aria-label': m[1].replace(/_/g, ' ') }, e));
      last = m.index + m[0].length;
    }
    if (last < s.length) parent.appendChild(document.createTextNode(s.slice(last)));
  }

  // ---------------------------------------------------------------- dates

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  /** Slack's `<!date^epoch^{tokens}|fallback>`: shown in the reader's locale and time zone. */
  function formatSlackDate(epoch, format) {
    const d = new Date(epoch * 1000);
    if (Number.isNaN(d.getTime())) return undefined;
    const today = new Date();
    const dayDiff = Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()) - new Date(today.getFullYear(), today.getMonth(), today.getDate())) / 86400000);
    const short = d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
    const long = d.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
    const pretty = (fallback) => (dayDiff === 0 ? 'today' : dayDiff === -1 ? 'yesterday' : dayDiff === 1 ? 'tomorrow' : fallback);
    const tokens = {
      date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
      date: d.toLocaleDateString(undefined, { month: 'long', day: 'numeric', year: 'numeric' }),
      date_short: short,
      date_long: long,
      date_pretty: pretty(d.toLocaleDateString(undefined, { month: 'long', day: 'numeric', year: 'numeric' })),
      date_short_pretty: pretty(short),
      date_long_pretty: pretty(long),
      time: d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
      time_secs: d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    };
    const out = (format || '{date_short} {time}').replace(/\{([a-z_]+)\}/g, (all, t) => (Object.hasOwn(tokens, t) ? tokens[t] : all));
    return out || d.toLocaleString();
  }

  // ---------------------------------------------------------------- mrkdwn

  const INLINE = '`([^`\\n]+)`|<([^<>\\n]+)>|(?<![A-Za-z0-9])([*_~])(?![\\s*_~])((?:(?!\\3)[^\\n])*?[^\\s])\\3(?![A-Za-z0-9])';
  const TAGS = { '*': 'strong', _: 'em', '~': 's' };

  /** Renders Slack mrkdwn into a new element; text only ever goes into text nodes. */
  function mrkdwn(text, tag) {
    const el = h(tag || 'div', { class: 'mrkdwn' });
    const parts = String(text || '').split(/```([\s\S]*?)```/);
    parts.forEach((part, i) => {
      if (i % 2 === 1) el.appendChild(h('pre', { class: 'pre' }, decodeEntities(part.replace(/^\n/, ''))));
      else inline(part, el);
    });
    return el;
  }

  function inline(text, parent) {
    const re = new RegExp(INLINE, 'g');
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      if (m.index > last) emojiText(decodeEntities(text.slice(last, m.index)), parent);
      if (m[1] !== undefined) parent.appendChild(h('code', {}, decodeEntities(m[1])));
      else if (m[2] !== undefined) parent.appendChild(token(m[2]));
      else {
        const el = h(TAGS[m[3]]);
        inline(m[4], el);
        parent.appendChild(el);
      }
      last = re.lastIndex;
    }
    if (last < text.length) emojiText(decodeEntities(text.slice(last)), parent);
  }

  /** `<…>`: mentions, channels, user groups, dates, links; anything else is shown as it is. */
  function token(inner) {
    const bar = inner.indexOf('|');
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? undefined : decodeEntities(inner.slice(bar + 1));
    let m;
    if ((m = /^@([UW][A-Z0-9]+)$/.exec(target))) {
      const known = ui.state && ui.state.users.some((u) => u.id === m[1]);
      return h('span', { class: `mention${m[1] === ui.user ? ' mention-me' : ''}`, 'data-user': m[1] }, `@${known ? userName(m[1]) : label || m[1]}`);
    }
    if ((m = /^#([CGD][A-Z0-9]+)$/.exec(target))) {
      const id = m[1];
      const c = channelOf(id);
      if (!c) return h('span', { class: 'mention' }, `#${label || id}`);
      return h('button', { type: 'button', class: 'mention mention-channel', onclick: () => selectChannel(id) }, `#${c.name}`);
    }
    if ((m = /^!subteam\^([A-Z0-9]+)$/.exec(target))) {
      const name = label ? label.replace(/^@/, '') : USERGROUPS[m[1]] || m[1];
      return h('span', { class: 'mention', title: `user group ${m[1]}` }, `@${name}`);
    }
    if ((m = /^!date\^(-?\d+)\^([^^]*)(?:\^(.*))?$/.exec(target))) {
      const shown = formatSlackDate(Number(m[1]), m[2]);
      return h('time', { class: 'date', datetime: new Date(Number(m[1]) * 1000).toISOString(), title: label || '' }, shown || label || target);
    }
    if ((m = /^!(here|channel|everyone)$/.exec(target))) return h('span', { class: 'mention mention-me' }, `@${m[1]}`);
    if (/^(https?:\/\/|mailto:)/i.test(target)) {
      const href = decodeEntities(target);
      return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label || href);
    }
    return document.createTextNode(`<${decodeEntities(inner)}>`);
  }

  function plainText(obj) {
    const span = h('span');
    if (!obj) return span;
    const text = String(obj.text || '');
    if (obj.type === 'mrkdwn') return mrkdwn(text, 'span');
    if (obj.emoji === false) span.textContent = text;
    else emojiText(text, span);
    return span;
  }

  // ---------------------------------------------------------------- Block Kit

  /**
   * `where` says what a click targets: {kind:'message', channel, ts} | {kind:'ephemeral', channel, id} |
   * {kind:'home'}.
   */
  function renderBlocks(blocks, where) {
    const root = h('div', { class: 'blocks', 'data-testid': 'blocks' });
    for (const b of blocks || []) root.appendChild(renderBlock(b, where));
    return root;
  }

  function renderBlock(b, where) {
    switch (b && b.type) {
      case 'header':
        return h('div', { class: 'b-header', role: 'heading', 'aria-level': '3', 'data-testid': 'block-header' }, plainText(b.text));
      case 'section': {
        const body = h('div', { class: 'b-section-body' });
        if (b.text) body.appendChild(b.text.type === 'plain_text' ? plainText(b.text) : mrkdwn(b.text.text));
        if (Array.isArray(b.fields) && b.fields.length > 0) {
          body.appendChild(h('div', { class: 'b-fields' }, b.fields.map((f) => h('div', { class: 'b-field', 'data-testid': 'field' }, f.type === 'plain_text' ? plainText(f) : mrkdwn(f.text)))));
        }
        const accessory = b.accessory ? h('div', { class: 'b-accessory' }, renderElement(b.accessory, b, where)) : null;
        return h('div', { class: 'b-section', 'data-testid': 'section' }, body, accessory);
      }
      case 'context':
        return h(
          'div',
          { class: 'b-context', 'data-testid': 'context' },
          (b.elements || []).map((e) =>
            e.type === 'image' ? h('span', { class: 'b-context-item' }, `[${e.alt_text || 'image'}]`) : h('span', { class: 'b-context-item' }, e.type === 'mrkdwn' ? mrkdwn(e.text, 'span') : plainText(e)),
          ),
        );
      case 'divider':
        return h('hr', { class: 'b-divider' });
      case 'actions':
        return h('div', { class: 'b-actions' }, (b.elements || []).map((e) => renderElement(e, b, where)));
      default:
        return h('div', { class: 'b-unknown' }, `[unsupported block: ${String(b && b.type)}]`);
    }
  }

  function renderElement(e, block, where) {
    if (!e || e.type !== 'button') return h('span', { class: 'b-unknown' }, `[unsupported element: ${String(e && e.type)}]`);
    const cls = `btn${e.style === 'primary' ? ' btn-primary' : e.style === 'danger' ? ' btn-danger' : ''}`;
    if (e.url && /^https?:\/\//i.test(e.url)) {
      return h('a', { class: cls, href: e.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'button', 'data-action-id': e.action_id || '' }, plainText(e.text));
    }
    const btn = h(
      'button',
      {
        type: 'button',
        class: cls,
        'data-testid': 'button',
        'data-action-id': e.action_id || '',
        'data-value': e.value,
        'aria-haspopup': e.confirm ? 'dialog' : undefined,
      },
      plainText(e.text),
    );
    btn.addEventListener('click', () => {
      const send = () => clickAction(btn, e, block, where);
      if (e.confirm) confirmThen(e.confirm, send, btn);
      else send();
    });
    return btn;
  }

  // ---------------------------------------------------------------- confirm dialogs

  function confirmThen(c, onConfirm, opener) {
    const dialog = $('confirm');
    $('confirm-title').textContent = (c.title && c.title.text) || 'Are you sure?';
    const text = $('confirm-text');
    clear(text);
    if (c.text) text.appendChild(c.text.type === 'plain_text' ? plainText(c.text) : mrkdwn(c.text.text, 'div'));
    const ok = $('confirm-ok');
    const cancel = $('confirm-cancel');
    ok.textContent = (c.confirm && c.confirm.text) || 'Yes';
    cancel.textContent = (c.deny && c.deny.text) || 'Cancel';
    ok.className = `btn ${c.style === 'danger' ? 'btn-danger' : 'btn-primary'}`;
    dialog.returnValue = '';
    const onClose = () => {
      dialog.removeEventListener('close', onClose);
      if (opener && document.contains(opener)) opener.focus();
      if (dialog.returnValue === 'ok') onConfirm();
    };
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    cancel.focus();
  }

  // ---------------------------------------------------------------- server calls

  async function post(path, body) {
    const res = await fetch(`${API}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let data = {};
    try {
      data = await res.json();
    } catch {
      /* not JSON */
    }
    return { ok: res.ok, status: res.status, data };
  }

  async function clickAction(btn, e, block, where) {
    const body = { user: ui.user, actionId: e.action_id, value: e.value, blockId: block && block.block_id };
    if (where.kind === 'home') body.home = true;
    else if (where.kind === 'ephemeral') Object.assign(body, { channel: where.channel, ephemeral: true }, where.id === undefined ? {} : { ephemeralId: where.id });
    else Object.assign(body, { channel: where.channel, messageTs: where.ts });
    if (body.value === undefined) delete body.value;
    if (body.blockId === undefined) delete body.blockId;
    btn.disabled = true;
    btn.classList.add('btn-busy');
    try {
      const r = await post('action', body);
      if (!r.ok || r.data.ok === false) toast(`The bot answered the click with HTTP ${r.data.status || r.status}${r.data.error ? `: ${r.data.error}` : ''}`, true);
    } catch (err) {
      toast(`Could not send the click: ${err.message}`, true);
    } finally {
      btn.disabled = false;
      btn.classList.remove('btn-busy');
    }
  }

  function notice(text) {
    ui.notices.push({ id: ++noticeId, channel: ui.channel, user: ui.user, text, at: Date.now() });
    render();
  }

  async function sendCommand(raw) {
    const text = raw.trim();
    if (!text) return;
    const m = /^\/(\S*)/.exec(text);
    if (!m) {
      notice('The sandbox only runs the `/playbook` command. Try `/playbook help`.');
      return;
    }
    if (m[1].toLowerCase() !== 'playbook') {
      notice(`\`/${m[1]}\` is not a valid command here: only \`/playbook\` is installed. Try \`/playbook help\`.`);
      return;
    }
    ui.history.push(text);
    ui.historyAt = -1;
    ui.stickToBottom = true;
    const input = $('composer');
    input.value = '';
    input.classList.add('sending');
    try {
      const r = await post('command', { user: ui.user, channel: ui.channel, text });
      if (!r.ok || r.data.ok === false) notice(`The bot answered HTTP ${r.data.status || r.status}${r.data.error ? `: ${r.data.error}` : ''}.`);
    } catch (err) {
      notice(`Could not send the command: ${err.message}`);
    } finally {
      input.classList.remove('sending');
    }
  }

  async function raiseAlert(instance, btn) {
    const title = $('alert-title').value.trim() || `Suspicious activity: ${instance.name}`;
    const channel = $('alert-channel').value || ui.channel;
    btn.disabled = true;
    try {
      const r = await post('alert', { channel, instanceId: instance.id, title: title.slice(0, 200), severity: $('alert-severity').value });
      if (r.data.status === 200) {
        closePanelOverlay();
        toast(`Alert posted in #${channelName(channel)}`);
        if (channel !== ui.channel || ui.view !== 'channel') selectChannel(channel);
        ui.stickToBottom = true;
      } else {
        const answer = r.data.answer || {};
        toast(`The alert was refused (HTTP ${r.data.status || r.status}): ${answer.error || answer.message || r.data.error || 'unknown error'}`, true);
      }
    } catch (err) {
      toast(`Could not raise the alert: ${err.message}`, true);
    } finally {
      btn.disabled = false;
    }
  }

  // The same alert, published to the sandbox's SMN topic: signed like SMN's, POSTed to the bot's /smn.
  async function raiseSmnAlert(instance, btn) {
    const title = $('alert-title').value.trim() || `Suspicious activity: ${instance.name}`;
    const channel = $('alert-channel').value || ui.channel;
    btn.disabled = true;
    try {
      const r = await post('smn-alert', { channel, instanceId: instance.id, title: title.slice(0, 200), severity: $('alert-severity').value });
      if (r.data.status === 200) {
        closePanelOverlay();
        toast(`SMN delivered the signed alert; the bot verified it and posted in #${channelName(channel)}`);
        if (channel !== ui.channel || ui.view !== 'channel') selectChannel(channel);
        ui.stickToBottom = true;
      } else {
        const answer = r.data.answer || {};
        toast(`The bot refused the SMN message (HTTP ${r.data.status || r.status}): ${answer.error || r.data.error || 'unknown error'}`, true);
      }
    } catch (err) {
      toast(`Could not publish to SMN: ${err.message}`, true);
    } finally {
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------- the simulator panel

  // Below this width the panel is a drawer over the page (page.css says the same), so it does not
  // take the message pane's room; it opens from the top bar's "Simulator" button.
  const PANEL_OVERLAY = window.matchMedia('(max-width: 900px)');

  function setPanelOpen(open) {
    document.body.classList.toggle('panel-open', open);
    $('panel-toggle').setAttribute('aria-expanded', String(open));
    if (open) $('panel-close').focus();
  }

  function closePanelOverlay() {
    if (PANEL_OVERLAY.matches && document.body.classList.contains('panel-open')) setPanelOpen(false);
  }

  function resetInstances(btn) {
    const c = {
      title: { type: 'plain_text', text: 'Reset the demo instances?' },
      text: { type: 'mrkdwn', text: 'Every playbook instance goes back to how the sandbox seeded it, and instances added since are removed. Cards in the channels stay, and follow their instance as it is again.' },
      confirm: { type: 'plain_text', text: 'Reset' },
      deny: { type: 'plain_text', text: 'Keep them' },
      style: 'danger',
    };
    confirmThen(c, async () => {
      btn.disabled = true;
      try {
        const r = await post('reset', {});
        if (r.ok && r.data.ok) toast(`The ${r.data.instances} demo instances are back as seeded`);
        else toast(`The reset was refused (HTTP ${r.status})${r.data.error ? `: ${r.data.error}` : ''}`, true);
      } catch (err) {
        toast(`Could not reset: ${err.message}`, true);
      } finally {
        btn.disabled = false;
      }
    }, btn);
  }

  // A Workflow Builder step for this instance: what Slack would send, and what Slack would receive back.
  function newExecutionId() {
    return `Fx${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1296).toString(36).toUpperCase()}`;
  }

  async function runStep(instance, btn) {
    const field = $('step-execution');
    if (!field.value.trim()) field.value = newExecutionId();
    const executionId = field.value.trim();
    const out = $('step-result');
    btn.disabled = true;
    out.textContent = `function_executed ${executionId} sent; waiting for the bot to end the step…`;
    try {
      const reason = $('step-reason').value.trim();
      const r = await post('workflow-step', { user: ui.user, step: $('step-callback').value, instanceId: instance.id, executionId, ...(reason ? { reason } : {}) });
      if (!r.ok) {
        out.textContent = `Refused: ${r.data.error || `HTTP ${r.status}`}`;
        return;
      }
      const c = r.data.completion;
      const head = r.data.redelivery ? `Redelivered ${executionId}: the bot did nothing more (Slack received ${r.data.completionCalls} completion).\n` : '';
      out.textContent = c
        ? `${head}Slack would receive ${c.method}:\n${JSON.stringify(c.outputs ? { function_execution_id: executionId, outputs: c.outputs } : { function_execution_id: executionId, error: c.error }, null, 2)}`
        : `The bot answered HTTP ${r.data.status} and has not ended the step yet.`;
      if (!r.data.redelivery) field.value = newExecutionId();
    } catch (err) {
      out.textContent = `Could not send the step: ${err.message}`;
    } finally {
      btn.disabled = false;
    }
  }

  let toastTimer;
  function toast(text, bad) {
    const t = $('toast');
    t.textContent = text;
    t.className = `toast${bad ? ' toast-bad' : ''}`;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      t.hidden = true;
    }, 4000);
  }

  // ---------------------------------------------------------------- state

  async function refresh() {
    if (ui.fetching) {
      ui.again = true;
      return;
    }
    ui.fetching = true;
    try {
      let next;
      try {
        const res = await fetch(`${API}/state?user=${encodeURIComponent(ui.user)}`, { cache: 'no-store' });
        if (res.ok) next = await res.json();
      } catch {
        /* the event stream reconnects and triggers another refresh */
      }
      if (next) {
        ui.state = next;
        render();
      }
    } catch (err) {
      console.error('rendering failed', err);
    } finally {
      ui.fetching = false;
      if (ui.again) {
        ui.again = false;
        refresh();
      }
    }
  }

  function connect() {
    const live = document.querySelector('.live');
    const text = live.querySelector('.live-text');
    const es = new EventSource(`${API}/events`);
    es.addEventListener('open', () => {
      live.classList.add('live-on');
      text.textContent = 'live';
    });
    es.addEventListener('change', () => refresh());
    es.addEventListener('error', () => {
      live.classList.remove('live-on');
      text.textContent = 'reconnecting…';
    });
  }

  function remember() {
    const p = new URLSearchParams();
    p.set('user', ui.user);
    p.set('channel', ui.channel);
    if (ui.view === 'home') p.set('view', 'home');
    history.replaceState(null, '', `${location.pathname}?${p}`);
  }

  function selectChannel(id) {
    ui.channel = id;
    ui.view = 'channel';
    ui.stickToBottom = true;
    remember();
    render();
    $('composer').focus();
  }

  function openHome() {
    ui.view = 'home';
    remember();
    render();
    post('home', { user: ui.user }).then((r) => {
      if (!r.ok || r.data.ok === false) toast(`Opening the Home tab failed (HTTP ${r.data.status || r.status})`, true);
    });
  }

  // ---------------------------------------------------------------- rendering

  let staticDone = false;
  function renderStatic() {
    const s = ui.state;
    const select = $('user-select');
    for (const u of s.users) select.appendChild(h('option', { value: u.id }, u.name));
    select.value = ui.user;
    const alertChannel = $('alert-channel');
    alertChannel.appendChild(h('option', { value: '' }, 'the current channel'));
    for (const c of s.channels) alertChannel.appendChild(h('option', { value: c.id }, `${c.isPrivate ? '🔒 ' : '#'}${c.name}`));
    $('workspace-id').textContent = s.workspace;
    $('team').textContent = `Sandbox · ${s.team}`;
    staticDone = true;
  }

  function render() {
    const s = ui.state;
    if (!s) return;
    if (!staticDone) renderStatic();
    if (!s.channels.some((c) => c.id === ui.channel)) ui.channel = s.channels[0].id;
    const me = s.users.find((u) => u.id === ui.user);
    $('user-role').textContent = me ? me.role : '';
    $('user-select').value = ui.user;
    renderSidebar();
    $('channel-view').hidden = ui.view !== 'channel';
    $('home-view').hidden = ui.view !== 'home';
    if (ui.view === 'channel') renderChannel();
    else renderHome();
    renderInstances();
    renderSmn();
  }

  function renderSmn() {
    const smn = ui.state.smn;
    if (!smn) return;
    const name = smn.topic.split(':').pop();
    const words = { none: 'no subscription', unconfirmed: 'subscription not confirmed yet', confirmed: 'subscription confirmed by the bot', cancelled: 'subscription cancelled' };
    $('smn-status').textContent = `SMN topic ${name}: ${words[smn.subscription] || smn.subscription} · ${smn.deliveries} ${smn.deliveries === 1 ? 'delivery' : 'deliveries'}`;
  }

  function renderSidebar() {
    const list = $('channel-list');
    const items = ui.state.channels.map((c) => {
      const active = ui.view === 'channel' && c.id === ui.channel;
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `channel-item${active ? ' active' : ''}`,
            'data-testid': `channel-${c.id}`,
            'data-private': c.isPrivate ? 'true' : undefined,
            'aria-current': active ? 'page' : undefined,
            onclick: () => selectChannel(c.id),
          },
          h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, c.isPrivate ? '🔒' : '#'),
          h('span', { class: 'channel-name' }, c.name),
          c.isPrivate ? h('span', { class: 'visually-hidden' }, ' (private)') : null,
          c.isPrivate ? h('span', { class: 'channel-tag', title: 'Private channel; the bot is not a member' }, 'private') : null,
        ),
      );
    });
    // Rebuilt each time: it is small, and keeping focus is handled by setChildren.
    const key = JSON.stringify([ui.view, ui.channel, ui.state.channels.map((c) => c.id)]);
    if (list.dataset.key !== key) {
      const focused = document.activeElement && document.activeElement.getAttribute('data-testid');
      list.dataset.key = key;
      setChildren(list, items);
      if (focused && focused.startsWith('channel-')) {
        const again = list.querySelector(`[data-testid="${focused}"]`);
        if (again) again.focus();
      }
    }
    $('nav-home').classList.toggle('active', ui.view === 'home');
    if (ui.view === 'home') $('nav-home').setAttribute('aria-current', 'page');
    else $('nav-home').removeAttribute('aria-current');
  }

  function tsToMs(ts) {
    return Math.round(parseFloat(ts) * 1000);
  }

  function timeLabel(ms) {
    return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }

  function botAvatar() {
    return h('div', { class: 'avatar avatar-bot', 'aria-hidden': 'true' }, 'PB');
  }

  function renderMessage(m, replies) {
    const where = { kind: 'message', channel: m.channel, ts: m.ts };
    const author = m.fromBot ? 'playbooks' : m.botId ? `app ${m.botId}` : 'someone';
    const body = m.blocks && m.blocks.length > 0 ? renderBlocks(m.blocks, where) : mrkdwn(m.text);
    const el = h(
      'article',
      { class: 'message', 'data-testid': 'message', 'data-ts': m.ts, 'data-edits': String(m.edits || 0), 'aria-label': `Message from ${author}` },
      h(
        'div',
        { class: 'message-row' },
        m.fromBot ? botAvatar() : h('div', { class: 'avatar avatar-other', 'aria-hidden': 'true' }, 'APP'),
        h(
          'div',
          { class: 'message-main' },
          h(
            'div',
            { class: 'message-meta' },
            h('span', { class: 'author' }, author),
            h('span', { class: 'app-badge' }, 'APP'),
            h('time', { class: 'msg-time', datetime: new Date(tsToMs(m.ts)).toISOString() }, timeLabel(tsToMs(m.ts))),
            m.edits > 0 ? h('span', { class: 'edited', title: `updated ${m.edits} time${m.edits === 1 ? '' : 's'} with chat.update` }, '(edited)') : null,
          ),
          body,
        ),
      ),
    );
    if (replies.length > 0) {
      const n = replies.length;
      el.appendChild(
        h(
          'div',
          { class: 'thread', 'data-testid': 'thread' },
          h('div', { class: 'thread-count', 'data-testid': 'thread-count' }, `${n} ${n === 1 ? 'reply' : 'replies'}`),
          replies.map((r) =>
            h(
              'div',
              { class: 'reply', 'data-testid': 'reply', 'data-ts': r.ts },
              botAvatar(),
              h(
                'div',
                { class: 'message-main' },
                h('div', { class: 'message-meta' }, h('span', { class: 'author' }, r.fromBot ? 'playbooks' : 'app'), h('span', { class: 'app-badge' }, 'APP'), h('time', { class: 'msg-time' }, timeLabel(tsToMs(r.ts)))),
                r.blocks && r.blocks.length > 0 ? renderBlocks(r.blocks, { kind: 'message', channel: r.channel, ts: r.ts }) : mrkdwn(r.text),
              ),
            ),
          ),
        ),
      );
    }
    return el;
  }

  function renderEphemeral(e, local) {
    const dismiss = h('button', { type: 'button', class: 'linklike', 'aria-label': 'Dismiss this message' }, 'Dismiss');
    dismiss.addEventListener('click', () => {
      ui.dismissed.add(local ? `n${e.id}` : `e${e.id}`);
      render();
    });
    return h(
      'article',
      { class: 'message ephemeral', 'data-testid': local ? 'local-notice' : 'ephemeral', 'data-id': String(e.id), 'aria-label': 'Only visible to you' },
      h('div', { class: 'only-you' }, h('span', { 'aria-hidden': 'true' }, '👁'), ' Only visible to you · ', dismiss),
      h(
        'div',
        { class: 'message-row' },
        local ? h('div', { class: 'avatar avatar-slackbot', 'aria-hidden': 'true' }, 'SB') : botAvatar(),
        h(
          'div',
          { class: 'message-main' },
          h('div', { class: 'message-meta' }, h('span', { class: 'author' }, local ? 'Sandbox' : 'playbooks'), h('span', { class: 'app-badge' }, 'APP'), h('time', { class: 'msg-time' }, timeLabel(e.at))),
          e.blocks && e.blocks.length > 0 ? renderBlocks(e.blocks, { kind: 'ephemeral', channel: e.channel, id: local ? undefined : e.id }) : mrkdwn(e.text),
        ),
      ),
    );
  }

  /** Reuses an item's DOM node while its version is unchanged (keeps focus and avoids flicker). */
  function cached(cache, key, version, build) {
    const hit = cache.get(key);
    if (hit && hit.version === version) return hit.node;
    const node = build();
    cache.set(key, { version, node });
    return node;
  }

  function renderChannel() {
    const s = ui.state;
    const c = channelOf(ui.channel);
    const title = $('channel-title');
    title.textContent = `${c.isPrivate ? '🔒 ' : '#'}${c.name}`;
    $('channel-note').textContent = c.isPrivate ? 'Private channel. The bot is not a member, so it cannot post here: watch what it tells you.' : `Demo channel ${c.id}. Cards the bot posts here are kept current with chat.update.`;
    $('composer').placeholder = `Message ${c.isPrivate ? '' : '#'}${c.name} — type /playbook help`;

    const inChannel = s.messages.filter((m) => m.channel === ui.channel);
    const top = inChannel.filter((m) => !m.threadTs || m.threadTs === m.ts);
    const replies = new Map();
    for (const m of inChannel) {
      if (m.threadTs && m.threadTs !== m.ts) {
        if (!replies.has(m.threadTs)) replies.set(m.threadTs, []);
        replies.get(m.threadTs).push(m);
      }
    }
    const items = [];
    for (const m of top) {
      const r = (replies.get(m.ts) || []).sort((a, b) => tsToMs(a.ts) - tsToMs(b.ts));
      const version = JSON.stringify([m.edits, m.blocks, m.text, r.map((x) => [x.ts, x.edits, x.text]), ui.user, s.users.length]);
      items.push({ at: tsToMs(m.ts), node: cached(ui.messageCache, `m${m.channel}/${m.ts}`, version, () => renderMessage(m, r)) });
    }
    for (const e of s.ephemerals) {
      if (e.channel !== ui.channel || e.replaced || ui.dismissed.has(`e${e.id}`)) continue;
      items.push({ at: e.at, node: cached(ui.messageCache, `e${ui.user}/${e.id}`, 'v', () => renderEphemeral(e, false)) });
    }
    for (const n of ui.notices) {
      if (n.channel !== ui.channel || n.user !== ui.user || ui.dismissed.has(`n${n.id}`)) continue;
      items.push({ at: n.at, node: cached(ui.messageCache, `n${n.id}`, 'v', () => renderEphemeral({ id: n.id, channel: n.channel, text: n.text, blocks: [], at: n.at }, true)) });
    }
    items.sort((a, b) => a.at - b.at);
    const list = $('messages');
    const nodes = items.map((i) => i.node);
    if (nodes.length === 0) {
      nodes.push(
        h(
          'div',
          { class: 'empty', 'data-testid': 'empty-channel' },
          h('p', { class: 'empty-title' }, `This is the very beginning of ${c.isPrivate ? '' : '#'}${c.name}.`),
          h('p', {}, 'Type ', h('code', {}, '/playbook help'), ' below, or raise an alert from the simulator panel on the right.'),
        ),
      );
    }
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    setChildren(list, nodes);
    if (ui.stickToBottom || atBottom) list.scrollTop = list.scrollHeight;
    ui.stickToBottom = false;
  }

  function renderHome() {
    const home = ui.state.home;
    const box = $('home');
    $('home-empty').hidden = Boolean(home);
    $('open-home').textContent = home ? 'Reopen Home tab' : 'Open Home tab';
    const version = JSON.stringify([ui.user, home]);
    if (box.dataset.version === version) return;
    box.dataset.version = version;
    clear(box);
    if (home) box.appendChild(renderBlocks(home.blocks, { kind: 'home' }));
  }

  function renderInstances() {
    const list = $('instances');
    const filter = $('instance-filter').value.trim().toLowerCase();
    const rows = ui.state.instances
      .filter((i) => !filter || `${i.name} ${i.status} ${i.id} ${i.playbook}`.toLowerCase().includes(filter))
      .map((i) => cached(ui.instanceCache, i.id, JSON.stringify([i.name, i.status, i.playbook]), () => renderInstance(i)));
    if (rows.length === 0) rows.push(h('li', { class: 'instances-empty' }, 'No instance matches.'));
    setChildren(list, rows);
  }

  function renderInstance(i) {
    const copy = h('button', { type: 'button', class: 'icon-btn', 'data-testid': 'copy-id', 'aria-label': `Copy the ID of ${i.name}`, title: 'Copy the ID' }, 'Copy');
    copy.addEventListener('click', () => copyText(i.id, copy));
    const fill = (verb) => {
      const b = h('button', { type: 'button', class: 'chip', 'data-testid': `fill-${verb}`, title: `Put /playbook ${verb} ${i.id} into the composer` }, `${verb} ›`);
      b.addEventListener('click', () => {
        closePanelOverlay();
        if (ui.view !== 'channel') selectChannel(ui.channel);
        const input = $('composer');
        input.value = `/playbook ${verb} ${i.id}${verb === 'status' ? '' : ' '}`;
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      });
      return b;
    };
    const alert = h('button', { type: 'button', class: 'chip chip-alert', 'data-testid': 'raise-alert', title: 'POST /alerts for this instance' }, '🚨 Raise alert');
    alert.addEventListener('click', () => raiseAlert(i, alert));
    const viaSmn = h('button', { type: 'button', class: 'chip chip-smn', 'data-testid': 'raise-smn-alert', title: 'Publish a signed alert for this instance to the SMN topic; SMN delivers it to POST /smn' }, '📣 via SMN');
    viaSmn.addEventListener('click', () => raiseSmnAlert(i, viaSmn));
    const asStep = h('button', { type: 'button', class: 'chip', 'data-testid': 'run-step', title: 'Run the Workflow Builder step chosen above on this instance, as you' }, '⚙ step');
    asStep.addEventListener('click', () => runStep(i, asStep));
    return h(
      'li',
      { class: 'instance', 'data-testid': 'instance-row', 'data-id': i.id, 'data-status': i.status },
      h('div', { class: 'instance-top' }, h('span', { class: 'instance-name', title: i.name }, i.name), h('span', { class: `status ${(Object.hasOwn(STATUS_CLASS, i.status) && STATUS_CLASS[i.status]) || 'st-other'}`, 'data-testid': 'instance-status' }, i.status)),
      h('div', { class: 'instance-playbook' }, i.playbook),
      h('div', { class: 'instance-id' }, h('code', { 'data-testid': 'instance-id' }, i.id), copy),
      h('div', { class: 'instance-actions' }, fill('retry'), fill('terminate'), fill('status'), h('span', { class: 'alert-chips' }, alert, viaSmn), asStep),
    );
  }

  async function copyText(text, btn) {
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch {
      const area = h('textarea', { class: 'offscreen', readonly: true });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try {
        done = document.execCommand('copy');
      } catch {
        done = false;
      }
      area.remove();
    }
    btn.textContent = done ? 'Copied' : 'Select it';
    setTimeout(() => {
      btn.textContent = 'Copy';
    }, 1500);
  }

  // ---------------------------------------------------------------- wiring

  function wire() {
    $('user-select').addEventListener('change', (ev) => {
      ui.user = ev.target.value;
      ui.stickToBottom = true;
      remember();
      // What is per person (ephemerals, the Home view) belongs to the previous user until refetched.
      if (ui.state) {
        ui.state = Object.assign({}, ui.state, { ephemerals: [], home: null });
        render();
      }
      if (ui.view === 'home') openHome();
      refresh();
    });
    $('composer-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      sendCommand($('composer').value);
    });
    $('composer').addEventListener('keydown', (ev) => {
      const input = ev.target;
      if (ev.key === 'ArrowUp' && ui.history.length > 0 && (input.value === '' || ui.historyAt !== -1)) {
        ev.preventDefault();
        ui.historyAt = ui.historyAt === -1 ? ui.history.length - 1 : Math.max(0, ui.historyAt - 1);
        input.value = ui.history[ui.historyAt];
      } else if (ev.key === 'ArrowDown' && ui.historyAt !== -1) {
        ev.preventDefault();
        ui.historyAt = ui.historyAt + 1 >= ui.history.length ? -1 : ui.historyAt + 1;
        input.value = ui.historyAt === -1 ? '' : ui.history[ui.historyAt];
      }
    });
    $('nav-home').addEventListener('click', openHome);
    $('open-home').addEventListener('click', openHome);
    $('instance-filter').addEventListener('input', () => ui.state && renderInstances());
    $('panel-toggle').addEventListener('click', () => setPanelOpen(!document.body.classList.contains('panel-open')));
    $('panel-close').addEventListener('click', () => {
      setPanelOpen(false);
      $('panel-toggle').focus();
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && PANEL_OVERLAY.matches && document.body.classList.contains('panel-open') && !$('confirm').open) setPanelOpen(false);
    });
    $('reset-instances').addEventListener('click', (ev) => resetInstances(ev.currentTarget));
    $('step-execution').value = newExecutionId();
  }

  wire();
  connect();
  refresh().then(() => {
    if (ui.view === 'home') openHome();
  });
})();
