/* Progressive enhancement only: every form works without this file.
   - the session renewed while an officer types; a filter over long lists of choices;
   - an import's progress read again while it runs;
   - characters left under free-text answers;
   - the running total of a budget allocation, and a warning when it is over the budget
     (the server checks the total again and names the question if it is exceeded). */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : "";
    });
  }

  function formatNumber(value) {
    try { return new Intl.NumberFormat(document.documentElement.lang || "en").format(value); }
    catch (e) { return String(value); }
  }

  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var counter = document.getElementById(area.getAttribute("data-counter"));
    if (!counter) { return; }
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    var template = counter.getAttribute("data-template");
    function update() {
      var left = limit - area.value.replace(/\r\n/g, "\n").length;
      counter.textContent = fill(template, { left: formatNumber(left) });
      counter.classList.toggle("over", left < 0);
    }
    area.addEventListener("input", update);
    update();
  });

  document.querySelectorAll(".budget[data-budget-total]").forEach(function (box) {
    var total = parseInt(box.getAttribute("data-budget-total"), 10);
    var out = box.querySelector(".budget-total");
    var text = box.querySelector(".budget-total-text");
    var over = box.querySelector(".budget-over-text");
    var inputs = box.querySelectorAll("input.budget-amount");
    function update() {
      var spent = 0;
      inputs.forEach(function (input) {
        var value = parseInt(input.value, 10);
        if (!isNaN(value) && value > 0) { spent += value; }
      });
      text.textContent = fill(out.getAttribute("data-template"), { spent: formatNumber(spent) });
      var exceeded = spent > total;
      out.classList.toggle("over", exceeded);
      over.textContent = exceeded ? " " + out.getAttribute("data-over") : "";
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });

  // A page answering a POST (a form shown again with its mistakes) becomes a plain GET entry
  // in the history: going Back to it later reloads it rather than offering to resend.
  if (document.body.getAttribute("data-replace-history") === "true" && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }

  // Signed-in pages: typing is working, so renew the session (at most every two minutes;
  // the server renews only once half of it is used). Without this file, every page still
  // renews it, and a form sent after it ended keeps what was typed (sessions.py).
  var renewUrl = document.body.getAttribute("data-session-renew");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  if (renewUrl && csrfMeta && window.fetch) {
    var lastRenewal = Date.now();
    document.addEventListener("input", function () {
      if (Date.now() - lastRenewal < 120000) { return; }
      lastRenewal = Date.now();
      window.fetch(renewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfMeta.getAttribute("content") }
      }).catch(function () { /* offline: the form still keeps what is typed */ });
    }, true);
  }

  // Long lists of checkboxes (countries, institutions): a filter box, shown only with this
  // file, hides the choices whose label does not contain what is typed.
  document.querySelectorAll("[data-filter-for]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filter-for"));
    var input = box.querySelector("input");
    var status = box.querySelector("[data-filter-status]");
    if (!list || !input) { return; }
    box.hidden = false;
    var fold = function (text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    };
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var shown = 0;
      list.querySelectorAll(".choice").forEach(function (choice) {
        var match = !wanted || fold(choice.textContent).indexOf(wanted) !== -1;
        var box = choice.querySelector("input");
        choice.hidden = !match && !(box && box.checked);
        if (!choice.hidden) { shown += 1; }
      });
      if (status) { status.textContent = status.getAttribute("data-template").replace("{n}", shown); }
    });
  });

  // A running import: read its page again every 1.5 s and replace the progress part, until
  // it ends on its report (without this file, the page offers a link to look again).
  var progress = document.querySelector("[data-progress-url]");
  if (progress && window.fetch && window.DOMParser) {
    var poll = function () {
      window.fetch(progress.getAttribute("data-progress-url"), { credentials: "same-origin" })
        .then(function (answer) { return answer.text(); })
        .then(function (html) {
          var fresh = new window.DOMParser().parseFromString(html, "text/html")
            .querySelector("[data-progress-url], [data-progress-done]");
          if (!fresh) { return; }
          if (fresh.hasAttribute("data-progress-done")) { window.location.reload(); return; }
          progress.querySelector("[data-progress-figures]").innerHTML =
            fresh.querySelector("[data-progress-figures]").innerHTML;
          window.setTimeout(poll, 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1500);
  }

  // After a refused form, take keyboard and screen-reader users to the list of mistakes.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
