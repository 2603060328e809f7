// Life Portal web chat: a small page on socket.io-client talking to Rasa's socket.io channel.
// Text is always inserted as text (never as HTML); web addresses become links.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var status = document.getElementById("connection");
  var typing = null;
  var firstOfReply = false;  // the next bot bubble starts a new reply
  var config = null;
  var socket = null;

  function sessionId() {
    // A random, pseudonymous id kept on this device only, so the chat survives a reload.
    var key = "lifeportal.session";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { /* private mode */ }
    if (!id) {
      id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode */ }
    }
    return id;
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

  function addMessage(who, text, replies) {
    var item = document.createElement("li");
    item.className = "msg msg--" + who;
    var bubble = document.createElement("div");
    bubble.className = "msg__bubble";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "bot" ? "Bot says: " : "You said: ";
    bubble.appendChild(label);
    appendText(bubble, text || "");
    item.appendChild(bubble);
    if (replies && replies.length) {
      var group = document.createElement("div");
      group.className = "replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Quick replies");
      replies.forEach(function (reply) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = reply.title;
        button.addEventListener("click", function () { send(reply.payload, reply.title); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    if (who === "bot" && firstOfReply) {
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
    } else if (!on && typing) {
      typing.remove();
      typing = null;
    }
  }

  function send(payload, shown) {
    var text = String(payload || "").trim();
    if (!text) { input.focus(); return; }
    addMessage("me", shown || text);
    if (!socket || !socket.connected) {
      addMessage("bot", config ? config.offlineMessage : "");
      return;
    }
    showTyping(true);
    firstOfReply = true;
    socket.emit("user_uttered", { message: text, session_id: sessionId() });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  function connect() {
    // Long-polling only: the websocket upgrade fails between python-engineio and Rasa's Sanic 21.12.
    socket = io(config.socketUrl, { transports: ["polling"], upgrade: false, reconnection: true });
    socket.on("connect", function () {
      status.textContent = "";
      socket.emit("session_request", { session_id: sessionId() });
    });
    socket.on("disconnect", function () { status.textContent = config.offlineStatus; });
    socket.on("connect_error", function () { status.textContent = config.offlineStatus; });
    socket.on("bot_uttered", function (message) {
      showTyping(false);
      var replies = message.quick_replies || message.buttons || [];
      addMessage("bot", message.text, replies);
    });
  }

  fetch("/config.json").then(function (r) { return r.json(); }).then(function (c) {
    config = c;
    addMessage("bot", c.welcome);
    connect();
  });
})();
