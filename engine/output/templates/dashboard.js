/* Filters (kind, unit, leader, light, text) and the drill-down of an item into its findings. */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#items tr.item"));
  var selects = Array.prototype.slice.call(document.querySelectorAll(".filters select[data-field]"));
  var search = document.getElementById("f-text");
  var count = document.getElementById("f-count");

  function detailOf(row) {
    return document.getElementById(row.getAttribute("aria-controls"));
  }

  var haystacks = rows.map(function (row) {
    return (row.textContent + " " + detailOf(row).textContent).toLowerCase();
  });

  function apply() {
    var wanted = selects.map(function (select) {
      return { field: "data-" + select.getAttribute("data-field"), value: select.value };
    });
    var query = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row, index) {
      var match = wanted.every(function (w) {
        return w.value === "" || row.getAttribute(w.field) === w.value;
      }) && (query === "" || haystacks[index].indexOf(query) !== -1);
      row.hidden = !match;
      detailOf(row).hidden = !match || row.getAttribute("aria-expanded") !== "true";
      if (match) {
        shown += 1;
      }
    });
    count.textContent = shown === rows.length ? "共 " + rows.length + " 项" : "显示 " + shown + " 项(共 " + rows.length + " 项)";
  }

  function toggle(row) {
    var open = row.getAttribute("aria-expanded") !== "true";
    row.setAttribute("aria-expanded", open ? "true" : "false");
    detailOf(row).hidden = !open;
  }

  rows.forEach(function (row) {
    row.addEventListener("click", function () {
      toggle(row);
    });
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle(row);
      }
    });
  });
  selects.forEach(function (select) {
    select.addEventListener("change", apply);
  });
  search.addEventListener("input", apply);
  apply();
}());
