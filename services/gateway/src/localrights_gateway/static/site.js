/* Progressive enhancement only: every form works without this file.
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

  // After a refused form, take keyboard and screen-reader users to the list of mistakes.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
