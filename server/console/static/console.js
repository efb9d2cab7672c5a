// HQ console: live SLA countdowns, charts, confirmations. No inline scripts (the pages' CSP).
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var left = Math.round((due - now) / 1000);
      var late = left < 0;
      var s = Math.abs(left);
      var text = (s >= 86400 ? Math.floor(s / 86400) + "d " : "") + pad(Math.floor(s / 3600) % 24) + ":" +
        pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
      el.textContent = late ? (el.getAttribute("data-overdue") || "overdue") + " " + text : text;
      el.classList.toggle("late", late);
    });
  }
  function charts(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-ready")) { return; }
      var src = document.getElementById("chart-" + el.getAttribute("data-chart"));
      if (!src) { return; }
      var data = JSON.parse(src.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 36, bottom: 28 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", name: data.unit || "" },
        series: data.series.map(function (s) {
          return { name: s.name, type: data.type || "line", showSymbol: false, connectNulls: true, data: s.data };
        })
      });
      el.setAttribute("data-ready", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // A form with a kind picker shows only the fields of the chosen kind (data-kinds lists the
  // kinds a field belongs to). Without this script every field shows; the server ignores the rest.
  function kindFields(root) {
    root.querySelectorAll("select[data-kind-select]").forEach(function (sel) {
      var form = sel.form;
      if (!form) { return; }
      function apply() {
        form.querySelectorAll("[data-kinds]").forEach(function (el) {
          el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(sel.value) < 0;
        });
      }
      sel.addEventListener("change", apply);
      apply();
      form.classList.add("js-kinds");
    });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.classList && form.classList.contains("confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      ev.preventDefault();
    }
  });
  document.addEventListener("click", function (ev) {
    if (ev.target && ev.target.hasAttribute && ev.target.hasAttribute("data-print")) { window.print(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    tick(); charts(document); kindFields(document);
    setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", function (ev) { tick(); charts(ev.target); });
})();
