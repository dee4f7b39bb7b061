// The console works without this script; it only keeps the live parts fresh, checks that the
// traffic shares add up to 100, asks before a delete, and follows the log (Server-Sent Events).
(function () {
  "use strict";
  var REFRESH_MS = 5000;

  document.querySelectorAll("[data-refresh]").forEach(function (part) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(part.getAttribute("data-refresh"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { part.innerHTML = html; })
        .catch(function () {});
    }, REFRESH_MS);
  });

  var traffic = document.getElementById("traffic");
  if (traffic) {
    var shares = traffic.querySelectorAll("input.share");
    var total = traffic.querySelector("output.total");
    var submit = traffic.querySelector("button");
    var check = function () {
      var sum = 0;
      shares.forEach(function (s) { sum += parseInt(s.value || "0", 10); });
      total.textContent = sum;
      total.classList.toggle("bad", sum !== 100);
      submit.disabled = sum !== 100;
    };
    shares.forEach(function (s) {
      var range = traffic.querySelector('[data-share-range="' + s.name.slice(6) + '"]');
      s.addEventListener("input", function () { if (range) range.value = s.value; check(); });
      if (range) range.addEventListener("input", function () { s.value = range.value; check(); });
    });
    check();
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  var log = document.getElementById("log");
  if (log && window.EventSource) {
    var url = log.getAttribute("data-follow") + "?since=" + encodeURIComponent(log.getAttribute("data-since"));
    var source = new EventSource(url);
    source.addEventListener("line", function (e) {
      var line = JSON.parse(e.data);
      var span = document.createElement("span");
      span.className = "line sev-" + String(line.severity).toLowerCase();
      var time = document.createElement("time");
      time.textContent = line.time;
      var who = document.createElement("i");
      who.textContent = line.instance;
      span.append(time, " ", who, " ", line.message, "\n");
      var atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.appendChild(span);
      if (atEnd) log.scrollTop = log.scrollHeight;
    });
    source.addEventListener("gone", function () { source.close(); });
  }
})();
