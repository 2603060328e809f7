// Life Portal web chat: a small page talking to our gateway over a plain browser WebSocket.
// Text is always inserted as text (never as HTML); web addresses become links.
(function () {
  "use strict";
  var TOKEN_KEY = "lifeportal.token";
  var TRANSCRIPT_KEY = "lifeportal.transcript";
  var MAX_ITEMS = 100;
  var REPLY_TIMEOUT = 15000;  // never endless typing dots
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var status = document.getElementById("connection");
  // Used until config.json arrives (or if it cannot be fetched). No phone numbers here: every number
  // comes from the knowledge files through config.json.
  var config = {
    welcome: "Hi, I'm the Life Portal bot. Ask me about leaving care in Essex.",
    offlineStatus: "You're offline. Trying to reconnect…",
    troubleStatus: "Having trouble reaching the bot…",
    offlineMessage: "I can't reach the chat service right now. Please try again in a few minutes.",
    quickExitUrl: "https://www.bbc.co.uk/weather",
    maxChars: 2000
  };
  var socket = null;
  var ready = false;          // a welcome arrived on the current socket
  var offline = false;        // in an outage: the socket closed and has not been welcomed again
  var offlineNoticeShown = false;
  var queue = [];             // messages typed while not ready, sent in order after the next welcome
  var attempts = 0;
  var retryTimer = null;
  var replyTimer = null;
  var typing = null;
  var firstOfReply = false;   // the next bot bubble starts a new reply
  var leaving = false;
  var memoryToken = null;     // when localStorage is not available (private mode)
  var transcript = [];

  function getToken() {
    try { return window.localStorage.getItem(TOKEN_KEY) || memoryToken; } catch (e) { return memoryToken; }
  }
  function setToken(token) {
    memoryToken = token || null;
    try {
      if (token) { window.localStorage.setItem(TOKEN_KEY, token); } else { window.localStorage.removeItem(TOKEN_KEY); }
    } catch (e) { /* private mode: kept in memory only */ }
  }

  function saveTranscript() {
    if (transcript.length > MAX_ITEMS) { transcript = transcript.slice(-MAX_ITEMS); }
    try { window.sessionStorage.setItem(TRANSCRIPT_KEY, JSON.stringify(transcript)); } catch (e) { /* ignore */ }
  }
  function loadTranscript() {
    try {
      var items = JSON.parse(window.sessionStorage.getItem(TRANSCRIPT_KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) { return []; }
  }
  function forgetTranscript() {
    transcript = [];
    try { window.sessionStorage.removeItem(TRANSCRIPT_KEY); } catch (e) { /* ignore */ }
  }

  // The status line: "offline" wins over "trouble"; "" clears it.
  var statusKind = "";
  function setStatus(kind) {
    if (kind !== "offline" && offline) { kind = "offline"; }
    statusKind = kind;
    status.textContent = kind === "offline" ? config.offlineStatus : kind === "trouble" ? config.troubleStatus : "";
  }

  function appendText(parent, text) {
    var parts = String(text).split(/(https?:\/\/[^\s]+)/g);
    parts.forEach(function (part) {
      if (/^https?:\/\//.test(part)) {
        var link = document.createElement("a");
        link.href = part; link.textContent = part; link.target = "_blank"; link.rel = "noopener noreferrer";
        parent.appendChild(link);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(who, text, buttons, name) {
    var item = document.createElement("li");
    item.className = "msg msg--" + who;
    var bubble = document.createElement("div");
    bubble.className = "msg__bubble";
    if (who === "adviser") {
      // A person, not the bot: say who, visibly.
      var from = document.createElement("span");
      from.className = "msg__from";
      from.textContent = (name || "Your PA") + ": ";
      bubble.appendChild(from);
    } else {
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = who === "bot" ? "Bot says: " : "You said: ";
      bubble.appendChild(label);
    }
    // One block a line, each finding its own direction: Farsi or Arabic lines read right to left.
    String(text || "").split("\n").forEach(function (line) {
      var block = document.createElement("span");
      block.className = "msg__line";
      block.setAttribute("dir", "auto");
      appendText(block, line);
      bubble.appendChild(block);
    });
    item.appendChild(bubble);
    if (buttons && buttons.length) {
      var group = document.createElement("div");
      group.className = "replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Quick replies");
      buttons.forEach(function (reply) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = reply.title;
        button.addEventListener("click", function () { sendMessage(reply.title, reply.payload); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    // Keep the typing dots last.
    log.insertBefore(item, typing);
    return item;
  }

  function addMessage(who, text, buttons, name) {
    var clean = [];
    (buttons || []).forEach(function (b) {
      if (b && b.title) { clean.push({ title: String(b.title), payload: b.payload == null ? null : String(b.payload) }); }
    });
    var item = render(who, text, clean, name);
    transcript.push({ who: who, text: String(text || ""), buttons: clean, name: name ? String(name) : undefined });
    saveTranscript();
    if (who !== "me" && firstOfReply) {
      // Show a long reply from its start, so it reads top to bottom on a small screen.
      item.scrollIntoView({ block: "start" });
      firstOfReply = false;
    } else if (who === "me") {
      item.scrollIntoView({ block: "end" });
    }
  }

  function showTyping(on) {
    if (on && !typing) {
      typing = document.createElement("li");
      typing.className = "msg typing";
      typing.textContent = "The bot is typing…";
      log.appendChild(typing);
      typing.scrollIntoView({ block: "nearest" });
    } else if (!on && typing) {
      log.removeChild(typing);
      typing = null;
    }
    if (!on) { clearTimeout(replyTimer); replyTimer = null; }
  }

  function transmit(message) {
    socket.send(JSON.stringify(message));
    showTyping(true);
    firstOfReply = true;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () { showTyping(false); setStatus("trouble"); }, REPLY_TIMEOUT);
  }

  function sendMessage(text, payload) {
    text = String(text || "").trim();
    if (!text) { input.focus(); return; }
    addMessage("me", text);
    var message = { type: "message", text: text };
    if (payload != null) { message.payload = payload; }
    if (ready && socket && socket.readyState === WebSocket.OPEN) { transmit(message); return; }
    queue.push(message);
    if (offline && !offlineNoticeShown) {
      offlineNoticeShown = true;
      addMessage("bot", config.offlineMessage);
    }
  }

  function flushQueue() {
    while (queue.length && ready && socket.readyState === WebSocket.OPEN) { transmit(queue.shift()); }
  }
  function onServerMessage(data) {
    if (data.type === "welcome") {
      if (data.token) { setToken(data.token); }
      ready = true; offline = false; offlineNoticeShown = false; attempts = 0;
      setStatus("");
      flushQueue();
    } else if (data.type === "reply") {
      showTyping(false);
      if (statusKind === "trouble") { setStatus(""); }
      if (data.sender === "adviser") {
        addMessage("adviser", data.text, [], typeof data.name === "string" ? data.name : "Your PA");
      } else {
        addMessage("bot", data.text, data.buttons);
      }
    } else if (data.type === "status") {
      if (data.state === "trouble") { showTyping(false); setStatus("trouble"); } else if (data.state === "ok") { setStatus(""); }
    } else if (data.type === "done") {
      showTyping(false);
    } else if (data.type === "forgotten") {
      // The conversation was erased on the server: erase it here too and start a new one.
      setToken(null);
      forgetTranscript();
      showTyping(false);
      log.textContent = "";
      ready = false;
      firstOfReply = true;
      socket.send(JSON.stringify({ type: "hello", token: null }));
    }
  }

  function wsUrl() {
    var url = new URL("ws", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.href;
  }

  function connect() {
    if (leaving) { return; }
    clearTimeout(retryTimer); retryTimer = null;
    var ws;
    try { ws = new WebSocket(wsUrl()); } catch (e) { lost(null); return; }
    socket = ws;
    ws.onopen = function () {
      if (ws === socket) { ws.send(JSON.stringify({ type: "hello", token: getToken() })); }
    };
    ws.onmessage = function (event) {
      if (ws !== socket) { return; }
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data && typeof data.type === "string") { onServerMessage(data); }
    };
    ws.onerror = function () { lost(ws); };
    ws.onclose = function () { lost(ws); };
  }

  // The socket closed or failed: say so, and try again by itself, with backoff, forever.
  function lost(ws) {
    if (leaving || (ws && ws !== socket)) { return; }
    ready = false;
    offline = true;
    showTyping(false);
    setStatus("offline");
    if (queue.length && !offlineNoticeShown) {
      offlineNoticeShown = true;
      addMessage("bot", config.offlineMessage);
    }
    if (retryTimer) { return; }
    if (ws && ws.readyState !== WebSocket.CLOSED) { try { ws.close(); } catch (e) { /* ignore */ } }
    socket = null;
    var delay = Math.min(10000, 1000 * Math.pow(2, attempts)) * (0.75 + Math.random() * 0.5);
    attempts += 1;
    retryTimer = setTimeout(connect, Math.min(10000, delay));
  }

  window.addEventListener("online", function () {
    if (!socket || socket.readyState >= WebSocket.CLOSING) { attempts = 0; connect(); }
  });

  function quickExit() {
    leaving = true;
    log.textContent = "";
    input.value = "";
    queue = [];
    forgetTranscript();
    clearTimeout(retryTimer); clearTimeout(replyTimer);
    if (socket) { try { socket.close(); } catch (e) { /* ignore */ } }
    window.location.replace(config.quickExitUrl);
  }
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !event.isComposing) { quickExit(); }
  });

  document.getElementById("forget").addEventListener("click", function () { sendMessage("Forget me", "/forget"); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    sendMessage(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });

  function start(loaded) {
    if (loaded && typeof loaded === "object") {
      Object.keys(config).forEach(function (key) { if (loaded[key] != null) { config[key] = loaded[key]; } });
    }
    var max = parseInt(config.maxChars, 10);
    if (max > 0) { input.maxLength = max; }
    var saved = loadTranscript();
    if (saved.length) {
      // Restore the conversation after a reload, without reading it all out again.
      log.setAttribute("aria-busy", "true");
      saved.slice(-MAX_ITEMS).forEach(function (item) {
        if (item && (item.who === "bot" || item.who === "me" || item.who === "adviser")) {
          render(item.who, item.text, item.buttons, item.name);
          transcript.push(item);
        }
      });
      log.removeAttribute("aria-busy");
      log.scrollTop = log.scrollHeight;
    } else {
      addMessage("bot", config.welcome);
    }
    connect();
  }

  fetch("config.json", { cache: "no-store" })
    .then(function (r) { if (!r.ok) { throw new Error("config " + r.status); } return r.json(); })
    .then(start, function () { start(null); });
})();
