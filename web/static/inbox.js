// Live updates for the adviser inbox: wait for a change (long poll), then refresh the live part
// of the page in place, so a form being typed in is never lost.
(function () {
  "use strict";
  var script = document.currentScript;
  var live = document.getElementById("live");
  if (!script || !live) { return; }
  var updatesUrl = script.getAttribute("data-updates");
  var seen = live.getAttribute("data-version") || "-1";

  function refresh() {
    return fetch(location.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("refresh failed"); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
      if (fresh) { live.innerHTML = fresh.innerHTML; }
    });
  }

  function wait(delay) {
    setTimeout(function () {
      fetch(updatesUrl + "?seen=" + encodeURIComponent(seen), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("updates failed"); }
          return response.json();
        })
        .then(function (data) {
          var changed = String(data.version) !== String(seen);
          seen = String(data.version);
          return changed ? refresh() : null;
        })
        .then(function () { wait(0); }, function () { wait(5000); });
    }, delay);
  }
  wait(0);
})();
