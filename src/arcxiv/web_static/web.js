// ArcXiv web app: keyboard shortcuts for card review (Space shows the answer, 1-4 grade it).
(function () {
  "use strict";
  var answer = document.getElementById("answer");
  var grades = document.querySelector("form.grades");
  if (!grades) return;
  document.addEventListener("keydown", function (e) {
    if (e.target && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) return;
    if (e.key === " " && answer && !answer.open) { e.preventDefault(); answer.open = true; return; }
    if (/^[1-4]$/.test(e.key)) {
      var button = grades.querySelector('button[value="' + e.key + '"]');
      if (button) { e.preventDefault(); button.click(); }
    }
  });
})();
