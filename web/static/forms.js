// Every page: what an officer typed survives a session that ended mid-form, and a file too
// large for the server is refused here, before anything is sent.
//
// Keeping the input: when a form is sent, its typed values (never files, passwords, hidden
// fields or the CSRF token) are put in this tab's sessionStorage as "pending". If the
// answer is a page that refused the form whole (data-keep-form: the session had ended, or
// the upload was too large), they become "kept" for the form's path; any other answer
// drops them. Back on that path (after logging in again), the form
// is filled with them once and a notice says so. Nothing of it reaches the server.
//
// The size check: a file input with data-max-bytes refuses a larger file next to the field,
// and its form is not sent while a file is over its limit.
"use strict";

(() => {
  const PENDING = "parledger.form.pending";
  const KEPT = "parledger.form.kept";
  const SKIPPED = new Set(["file", "password", "hidden", "submit", "button", "reset", "image"]);

  function storage() {
    try { return window.sessionStorage; } catch (_) { return null; }
  }

  function formPath(form) {
    const action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    return action.pathname + action.search;
  }

  function typedValues(form) {
    const values = [];
    for (const element of form.elements) {
      if (!element.name || element.disabled || SKIPPED.has(element.type)) continue;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) continue;
      if (element.tagName === "SELECT" && element.multiple) {
        for (const option of element.selectedOptions) values.push([element.name, option.value]);
      } else {
        values.push([element.name, element.value]);
      }
    }
    return values;
  }

  function fill(form, values) {
    const seen = new Map();
    for (const [name, value] of values) {
      const n = seen.get(name) || 0;
      seen.set(name, n + 1);
      const elements = Array.from(form.elements).filter((e) => e.name === name && !SKIPPED.has(e.type));
      if (elements.length && (elements[0].type === "checkbox" || elements[0].type === "radio")) {
        elements.forEach((e) => { if (e.value === value) e.checked = true; });
      } else if (elements[n]) {
        elements[n].value = value;
      }
    }
  }

  function keepAcrossLogin(store) {
    const pending = store.getItem(PENDING);
    store.removeItem(PENDING);
    if (pending && document.querySelector("[data-keep-form]")) {
      store.setItem(KEPT, pending);
      return;
    }
    const kept = JSON.parse(store.getItem(KEPT) || "null");
    if (!kept) return;
    const here = window.location.pathname + window.location.search;
    if (kept.path !== here) return;
    const form = Array.from(document.querySelectorAll("form[method=post]")).find((f) => formPath(f) === here);
    if (!form) return;
    store.removeItem(KEPT);
    fill(form, kept.values);
    const notice = document.createElement("p");
    notice.className = "notice";
    notice.id = "kept-notice";
    notice.setAttribute("role", "status");
    notice.textContent = "Đã điền lại nội dung bạn đã gõ (biểu mẫu lần trước chưa được gửi). Hãy kiểm tra lại và chọn lại tệp đính kèm (nếu có) trước khi gửi.";
    form.parentNode.insertBefore(notice, form);
  }

  function sizeLabel(bytes) {
    return `${(bytes / (1024 * 1024)).toFixed(1).replace(".", ",")} MiB`;
  }

  // The file of `input` over its data-max-bytes, said next to the field; true when it fits.
  function checkSize(input) {
    const limit = Number(input.dataset.maxBytes);
    const id = `size-${input.id || input.name}`;
    const old = document.getElementById(id);
    if (old) old.remove();
    const big = Array.from(input.files || []).find((file) => file.size > limit);
    input.setCustomValidity("");
    if (!big) return true;
    const message = document.createElement("p");
    message.className = "error";
    message.id = id;
    message.setAttribute("role", "alert");
    message.textContent = `Tệp “${big.name}” nặng ${sizeLabel(big.size)}, lớn hơn giới hạn ${sizeLabel(limit)}; hãy chọn tệp nhỏ hơn. Chưa có gì được gửi.`;
    input.setAttribute("aria-invalid", "true");
    input.insertAdjacentElement("afterend", message);
    return false;
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    input.addEventListener("change", () => checkSize(input));
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const inputs = Array.from(form.querySelectorAll("input[type=file][data-max-bytes]"));
    const fits = inputs.map(checkSize).every(Boolean);
    if (!fits) {
      event.preventDefault();
      const first = inputs.find((input) => input.getAttribute("aria-invalid") === "true");
      if (first) first.focus();
      return;
    }
    const store = storage();
    if (store && (form.getAttribute("method") || "").toLowerCase() === "post" && !form.hasAttribute("data-keep-off")) {
      store.setItem(PENDING, JSON.stringify({ path: formPath(form), values: typedValues(form) }));
    }
  });

  const store = storage();
  if (store) keepAcrossLogin(store);
})();
