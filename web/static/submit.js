// Submit and correct pages: "Thêm dòng" adds an empty row to a rows table (decisions,
// index results). Without JavaScript the tables still carry spare empty rows.
"use strict";

document.querySelectorAll("button[data-add-row]").forEach((button) => {
  button.addEventListener("click", () => {
    const table = document.getElementById(button.dataset.addRow);
    if (!table) return;
    const rows = table.querySelectorAll("tbody tr[data-row]");
    const last = rows[rows.length - 1];
    if (!last) return;
    const copy = last.cloneNode(true);
    copy.classList.remove("row-bad");
    copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
    copy.querySelectorAll("p.error").forEach((p) => p.remove());
    copy.querySelectorAll(".has-error").forEach((cell) => cell.classList.remove("has-error"));
    const number = copy.querySelector("td.num");
    if (number) number.textContent = "";
    table.querySelector("tbody").appendChild(copy);
    const first = copy.querySelector("input, select");
    if (first) first.focus();
  });
});
