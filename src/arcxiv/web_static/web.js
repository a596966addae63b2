// ArcXiv web app. Every page works without this script; with it:
// - links and forms marked by the app's pages load without a full reload (the new page's <main> is swapped in);
// - review shortcuts: Space shows the answer, 1-4 grade it (hints hidden on touch screens by the stylesheet);
// - the compile form says it is working; the learner's time zone is sent once, so days are theirs.
(function () {
  "use strict";
  document.documentElement.classList.add("js");  // key hints are shown only where the keys work
  var csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";

  function sendTimeZone() {
    if (!document.body.hasAttribute("data-set-time-zone")) return;
    var zone = (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone;
    if (!zone) return;
    document.body.removeAttribute("data-set-time-zone");
    fetch("/api/settings", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                            body: JSON.stringify({time_zone: zone}), credentials: "same-origin"});
  }

  // Pages where moving on should not reload: review, quiz sessions.
  function swaps(url) {
    var path = new URL(url, location.href).pathname;
    return new URL(url, location.href).origin === location.origin &&
      (/\/review(\/undo)?$/.test(path) || /\/quiz\//.test(path) || /\/cards\/[^/]+$/.test(path));
  }

  function show(html, url, push) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = doc.querySelector("main");
    if (!main) { location.href = url; return; }
    document.querySelector("main").replaceWith(main);
    document.title = doc.title;
    if (push) history.pushState({swapped: true}, "", url);
    var focus = main.querySelector("[autofocus]") || main.querySelector("h1");
    if (focus) { if (!focus.hasAttribute("tabindex") && focus.tagName === "H1") focus.setAttribute("tabindex", "-1"); focus.focus(); }
  }

  function load(url, options, push) {
    return fetch(url, Object.assign({credentials: "same-origin"}, options)).then(function (r) {
      return r.text().then(function (text) { show(text, r.url, push); });
    }).catch(function () { location.href = url; });
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.hasAttribute("download")) return;
    if (!swaps(a.href)) return;
    e.preventDefault();
    load(a.href, {}, true);
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList.contains("compile-form")) {
      var busy = form.querySelector(".busy");
      if (busy) { busy.textContent = form.getAttribute("data-busy"); busy.classList.add("on"); }
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      return;  // a normal submit: the course page follows
    }
    if (form.method.toLowerCase() !== "post" || !swaps(form.action)) return;
    e.preventDefault();
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    load(form.action, {method: "POST", body: data}, true);
  });

  window.addEventListener("popstate", function () { load(location.href, {}, false); });

  document.addEventListener("keydown", function (e) {
    if (e.target && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) return;
    var reveal = document.getElementById("show-answer");
    if (e.key === " " && reveal) { e.preventDefault(); reveal.click(); return; }
    var grades = document.querySelector("form.grades");
    if (grades && /^[1-4]$/.test(e.key)) {
      var button = grades.querySelector('button[value="' + e.key + '"]');
      if (button) { e.preventDefault(); button.click(); }
    }
  });

  sendTimeZone();
})();
