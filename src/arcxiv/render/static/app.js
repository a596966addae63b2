// ArcXiv course behaviour: source highlighting, card flipping, quiz feedback. No network.
(function () {
  "use strict";
  var source = document.getElementById("source-text");
  var panel = source ? source.closest("aside") : null;
  // The source view is pieces: runs of text and formulas (MathML), each with its start offset.
  var pieces = source ? Array.prototype.map.call(source.querySelectorAll(".sp"), function (el) {
    var a = parseInt(el.getAttribute("data-a"), 10), math = el.classList.contains("sm");
    var text = math ? "" : el.textContent;
    return {el: el, a: a, b: math ? parseInt(el.getAttribute("data-b"), 10) : a + text.length, text: text, math: math};
  }) : [];

  function parseSpans(s) {
    return (s || "").split(",").filter(Boolean).map(function (p) {
      var ab = p.split("-"); return [parseInt(ab[0], 10), parseInt(ab[1], 10)];
    }).filter(function (ab) { return ab[0] >= 0 && ab[1] > ab[0]; });
  }
  // Rebuild each text piece as text nodes and <mark> elements (never innerHTML); a formula is marked whole.
  function highlight(spans) {
    if (!source) return;
    spans = spans.slice().sort(function (a, b) { return a[0] - b[0]; });
    var first = null;
    pieces.forEach(function (p) {
      var inside = spans.filter(function (ab) { return ab[0] < p.b && ab[1] > p.a; });
      if (p.math) {
        p.el.classList.toggle("hl", inside.length > 0);
        if (inside.length && !first) first = p.el;
        return;
      }
      while (p.el.firstChild) p.el.removeChild(p.el.firstChild);
      var pos = 0;
      inside.forEach(function (ab) {
        var a = Math.max(ab[0] - p.a, pos), b = Math.min(ab[1] - p.a, p.text.length);
        if (b <= a) return;
        p.el.appendChild(document.createTextNode(p.text.slice(pos, a)));
        var mark = document.createElement("mark");
        mark.textContent = p.text.slice(a, b);
        p.el.appendChild(mark);
        if (!first) first = mark;
        pos = b;
      });
      p.el.appendChild(document.createTextNode(p.text.slice(pos)));
    });
    // Scroll the source panel itself, not the page: beside the lesson (sticky) or the phone's bottom sheet (fixed).
    var pos = panel ? getComputedStyle(panel).position : "";
    if (first && (pos === "sticky" || pos === "fixed")) {
      var head = panel.querySelector(".source-head");
      var gap = head && getComputedStyle(head).position === "sticky" ? head.offsetHeight + 24 : 48;
      panel.scrollTop = Math.max(0, panel.scrollTop + first.getBoundingClientRect().top - panel.getBoundingClientRect().top - gap);
    }
  }
  function activate(el) {
    document.querySelectorAll(".st.active").forEach(function (x) { x.classList.remove("active"); });
    el.classList.add("active");
    highlight(parseSpans(el.getAttribute("data-spans")));
  }

  // On a narrow screen the source panel is a bottom sheet (see style.css, html.js): closed until a cited
  // line is tapped (or Enter is pressed on it); Escape or its Close button closes it and focus goes back.
  var root = document.documentElement;
  root.classList.add("js");
  var closer = panel ? panel.querySelector(".source-close") : null;
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 48rem)") : null;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var opener = null;
  function sheetMode() { return !!(closer && narrow && narrow.matches); }
  function openSheet(from) {
    if (!sheetMode()) return;
    opener = from;
    root.classList.add("sheet-open", "sheet-ready"); // sheet-ready: it slides from now on, not while the page loads
    panel.classList.add("open");
    panel.focus({preventScroll: true});
    // keep the tapped line in sight above the sheet (the page has room for this while the sheet is open)
    var top = window.innerHeight - panel.offsetHeight, r = from.getBoundingClientRect();
    var by = Math.min(r.bottom - top + 16, r.top - 8);
    if (by > 0) window.scrollBy({top: by, behavior: still ? "auto" : "smooth"});
  }
  function closeSheet(refocus) {
    if (!panel || !panel.classList.contains("open")) return;
    panel.classList.remove("open");
    root.classList.remove("sheet-open");
    if (refocus && opener && document.contains(opener)) opener.focus({preventScroll: true});
    opener = null;
  }
  if (closer) closer.addEventListener("click", function () { closeSheet(true); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && panel && panel.classList.contains("open")) { e.preventDefault(); closeSheet(true); }
  });
  if (narrow) {
    var wide = function () { if (!narrow.matches) closeSheet(false); };
    if (narrow.addEventListener) narrow.addEventListener("change", wide); else if (narrow.addListener) narrow.addListener(wide);
  }

  document.querySelectorAll("[data-spans]").forEach(function (el) {
    ["mouseenter", "focus", "click"].forEach(function (ev) {
      el.addEventListener(ev, function (e) { if (!el.closest(".card") || ev === "click") activate(el); });
    });
    if (el.closest(".card")) return; // a card flips on a tap; its source is not pushed up over it
    el.addEventListener("click", function () { openSheet(el); });
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target === el) { e.preventDefault(); openSheet(el); }
    });
  });

  // A visual wider than the screen scrolls sideways in its box; the box takes keyboard focus only then.
  var scrollers = Array.prototype.slice.call(document.querySelectorAll(".visual-scroll"));
  function syncScrollers() {
    scrollers.forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0"); else el.removeAttribute("tabindex");
    });
  }
  if (scrollers.length) { syncScrollers(); window.addEventListener("resize", syncScrollers); }

  // Keep the current page's link in view in the phone's one-line, sideways-scrolling menu.
  var here = document.querySelector("header.top nav a[aria-current]"), menu = here && here.closest("ul");
  if (menu && menu.scrollWidth > menu.clientWidth) {
    menu.scrollLeft += here.getBoundingClientRect().left - menu.getBoundingClientRect().left - (menu.clientWidth - here.offsetWidth) / 2;
  }

  // Flashcards: click, Enter or Space flips; arrow keys move.
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  cards.forEach(function (card, i) {
    card.addEventListener("click", function () {
      var on = card.getAttribute("aria-pressed") !== "true";
      card.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) { var back = card.querySelector(".back"); if (back) highlight(parseSpans(back.getAttribute("data-spans"))); }
    });
    card.addEventListener("keydown", function (e) {
      var j = e.key === "ArrowRight" || e.key === "ArrowDown" ? i + 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? i - 1 : -1;
      if (j >= 0 && j < cards.length) { e.preventDefault(); cards[j].focus(); }
    });
  });

  // Quiz: check an answer, show the verdict, the key and the cited source.
  var right = 0, done = 0;
  function norm(s) { return String(s).trim().toLowerCase().replace(/\s+/g, " "); }
  document.querySelectorAll("form.quiz-item").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var kind = form.getAttribute("data-kind"), key = JSON.parse(form.getAttribute("data-answer")), ok = false;
      if (kind === "mcq" || kind === "true_false") {
        var picked = form.querySelector("input[type=radio]:checked");
        ok = !!picked && (kind === "mcq" ? parseInt(picked.value, 10) === key : picked.value === key);
      } else if (kind === "fill_blank") {
        ok = norm(form.querySelector("input[type=text]").value) === norm(key);
      } else {
        var sels = form.querySelectorAll("select");
        if (kind === "matching") {
          ok = Array.prototype.every.call(sels, function (s, i) { return s.value !== "" && parseInt(s.value, 10) === key[i]; });
        } else { // ordering: select i gives the position of choice i
          ok = Array.prototype.every.call(sels, function (s, i) { return s.value !== "" && key[parseInt(s.value, 10)] === i; });
        }
      }
      var fb = form.querySelector(".feedback"), verdict = fb.querySelector(".verdict");
      verdict.textContent = ok ? "Correct." : "Not quite. Here is what the source says:";
      verdict.className = "verdict " + (ok ? "good" : "bad");
      fb.hidden = false;
      var expl = fb.querySelector("[data-spans]");
      if (expl) activate(expl);
      if (!form.hasAttribute("data-done")) { form.setAttribute("data-done", ""); done++; if (ok) right++; }
      var score = document.getElementById("score");
      if (score) score.textContent = right + " of " + done + " right so far.";
    });
  });
})();
