// The EmbedFlow Q&A page: asks through the OpenAI-compatible API with stream: true, shows the
// answer as it streams, numbered citations that open their source document, and keeps the
// conversation in a server-side session (X-Session-Id) until "New conversation".
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const conversation = $('conversation');
  const keyInput = $('api-key');
  let model = null;
  let sessionId = sessionStorage.getItem('embedflow.session') || newSessionId();
  keyInput.value = localStorage.getItem('embedflow.key') || '';
  keyInput.addEventListener('change', () => localStorage.setItem('embedflow.key', keyInput.value));

  function newSessionId() {
    const id = 'web-' + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    sessionStorage.setItem('embedflow.session', id);
    return id;
  }

  function headers() {
    const h = { 'Content-Type': 'application/json', 'X-Session-Id': sessionId };
    if (keyInput.value) h['Authorization'] = 'Bearer ' + keyInput.value;
    return h;
  }

  function status(text) { $('status').textContent = text; }

  async function loadModel() {
    const res = await fetch('/v1/models', { headers: headers() });
    if (res.status === 401) { $('key-box').open = true; status('This service needs an API key.'); return; }
    const body = await res.json();
    model = body.data[0].id;
    $('model').textContent = 'model: ' + model;
  }

  function openSource(c) {
    $('source').hidden = false;
    $('source-title').textContent = '[' + c.index + '] ' + (c.entity || c.id);
    $('source-window').textContent = c.window_start ? (c.window_start + ' – ' + c.window_end) : c.id;
    $('source-text').textContent = c.text;
  }

  // The answer's text with [n] markers made into links to their citation.
  function renderAnswer(el, text, citations) {
    el.textContent = '';
    const byIndex = new Map(citations.map((c) => [c.index, c]));
    let last = 0;
    const marker = /\[(\d+)\]/g;
    let m;
    while ((m = marker.exec(text)) !== null) {
      el.appendChild(document.createTextNode(text.slice(last, m.index)));
      const c = byIndex.get(Number(m[1]));
      if (c) {
        const a = document.createElement('a');
        a.className = 'cite';
        a.textContent = m[0];
        a.addEventListener('click', () => openSource(c));
        el.appendChild(a);
      } else {
        el.appendChild(document.createTextNode(m[0]));
      }
      last = marker.lastIndex;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderCitations(list, citations) {
    list.textContent = '';
    for (const c of citations) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.textContent = '[' + c.index + '] ' + (c.entity || c.id) + (c.window_start ? ' · ' + c.window_start.slice(0, 16).replace('T', ' ') : '');
      a.addEventListener('click', () => openSource(c));
      li.appendChild(a);
      list.appendChild(li);
    }
  }

  async function ask(question) {
    const turn = document.createElement('div');
    turn.className = 'turn';
    const q = document.createElement('div');
    q.className = 'question';
    q.textContent = question;
    const answer = document.createElement('div');
    answer.className = 'answer';
    const list = document.createElement('ul');
    list.className = 'citations';
    turn.append(q, answer, list);
    conversation.appendChild(turn);
    $('send').disabled = true;
    status('Searching…');
    let text = '';
    let citations = [];
    try {
      if (!model) await loadModel();
      const res = await fetch('/v1/chat/completions', {
        method: 'POST', headers: headers(),
        body: JSON.stringify({ model: model, stream: true, messages: [{ role: 'user', content: question }] })
      });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || ('HTTP ' + res.status));
      }
      const store = res.headers.get('X-Session-Store');
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!event.startsWith('data: ')) continue;
          const data = event.slice(6);
          if (data === '[DONE]') continue;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message);
          if (chunk.citations) { citations = chunk.citations; renderCitations(list, citations); }
          const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
          if (delta && delta.content) { text += delta.content; renderAnswer(answer, text, citations); }
        }
      }
      renderAnswer(answer, text, citations);
      status(store === 'unavailable' ? 'Answered without the conversation: the session store is unavailable.' : '');
    } catch (e) {
      answer.classList.add('error');
      answer.textContent = e.message;
      status('');
    } finally {
      $('send').disabled = false;
    }
  }

  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    const question = $('question').value.trim();
    if (!question) return;
    $('question').value = '';
    ask(question);
  });
  $('new-conversation').addEventListener('click', () => {
    sessionId = newSessionId();
    conversation.textContent = '';
    $('source').hidden = true;
    status('New conversation.');
  });
  $('close-source').addEventListener('click', () => { $('source').hidden = true; });
  loadModel().catch((e) => status(e.message));
})();
