// Signing in the browser: keys are made here by WebCrypto, kept non-extractable in
// IndexedDB, and never sent anywhere. The server prepares payload bytes; this script
// shows those exact bytes, signs DSSE's pre-authentication encoding of them, and posts
// back only the signature and the key id.
"use strict";

const DB_NAME = "parledger-keys";
const STORE = "keys";

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "officer" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function storeKey(record) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(record);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

async function loadKey(officer) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE, "readonly").objectStore(STORE).get(officer);
    request.onsuccess = () => resolve(request.result || null);
    request.onerror = () => reject(request.error);
  });
}

function toBase64(bytes) {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

// DSSE v1: "DSSEv1" SP len(type) SP type SP len(payload) SP payload (lengths in bytes).
function pae(payloadType, payload) {
  const type = new TextEncoder().encode(payloadType);
  const head = new TextEncoder().encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

async function keyRecord(officer, pair) {
  const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
  const keyId = "ed25519:" + hex(await crypto.subtle.digest("SHA-256", raw));
  return { officer, keyId, publicKey: toBase64(raw), privateKey: pair.privateKey, created: new Date().toISOString() };
}

// A new key pair whose private half cannot be exported, even by this page.
async function generateKey(officer) {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const record = await keyRecord(officer, pair);
  await storeKey(record);
  return record;
}

// A key from a file, imported as non-extractable: a PAR Ledger key file (opened with its
// passphrase by keyfile.js), or an unencrypted PKCS#8 Ed25519 key (PEM or DER).
async function importKey(officer, fileBytes, passphrase) {
  let der = new Uint8Array(fileBytes);
  const text = new TextDecoder().decode(der);
  let expectedKeyId = null;
  if (text.trimStart().startsWith("{")) {
    const opened = await openKeyFile(text, passphrase);
    der = pkcs8OfSeed(opened.seed);
    expectedKeyId = opened.keyId;
  } else if (text.includes("-----BEGIN ")) {  // PEM: the base64 between the armour lines
    der = fromBase64(text.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
  }
  const privateKey = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
  // WebCrypto cannot derive the public half of a non-extractable key: import once more,
  // extractable, only to read the public key from its JWK, then drop that copy.
  const copy = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", copy);
  const raw = fromBase64(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=");
  const publicKey = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, true, ["verify"]);
  const record = await keyRecord(officer, { publicKey, privateKey });
  if (expectedKeyId !== null && record.keyId !== expectedKeyId) {
    throw new KeyFileError("Mã khoá ghi trong tệp không khớp với khoá trong tệp.");
  }
  await storeKey(record);
  return record;
}

function show(element, text) {
  if (element) {
    element.textContent = text;
    element.hidden = false;
  }
}

// A review page, of one statement or a batch: show each payload decoded from the very
// bytes that will be signed (not a copy the server rendered), sign them all with one
// click, and post the payloads, their signatures and the key id.
async function setUpSigning(form) {
  const officer = form.dataset.officer;
  const payloads = Array.from(form.querySelectorAll("input[name=payload]"), (field) => fromBase64(field.value));
  const signatureFields = Array.from(form.querySelectorAll("input[name=signature]"));
  document.querySelectorAll("pre[data-index]").forEach((shown) => {
    const bytes = payloads[Number(shown.dataset.index)];
    shown.textContent = JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 2);
  });
  const status = document.getElementById("sign-status");
  const button = form.querySelector("button[type=submit]");
  const record = await loadKey(officer);
  if (!record) {
    show(status, "Trình duyệt này chưa có khoá ký của bạn. Hãy tạo hoặc nhập khoá ở trang “Khoá ký” rồi quay lại.");
    button.disabled = true;
    return;
  }
  show(document.getElementById("sign-key"), record.keyId);
  let signed = false;
  form.addEventListener("submit", async (event) => {
    if (signed) return;
    event.preventDefault();
    button.disabled = true;
    try {
      for (let i = 0; i < payloads.length; i += 1) {
        const signature = await crypto.subtle.sign("Ed25519", record.privateKey, pae(form.dataset.payloadType, payloads[i]));
        signatureFields[i].value = toBase64(signature);
      }
    } catch (error) {
      show(status, "Không ký được bằng khoá trong trình duyệt này.");
      button.disabled = false;
      return;
    }
    form.elements.key_id.value = record.keyId;
    signed = true;
    form.submit();
  });
  button.disabled = false;
}

async function setUpEnrolment(form) {
  const officer = form.dataset.officer;
  const status = document.getElementById("key-status");
  const existing = await loadKey(officer);
  if (existing) show(status, `Trình duyệt này đang giữ khoá ${existing.keyId}.`);
  const submitRecord = (record) => {
    form.elements.public_key.value = record.publicKey;
    form.elements.key_id.value = record.keyId;
    form.submit();
  };
  form.querySelector("[data-generate]").addEventListener("click", async () => {
    submitRecord(await generateKey(officer));
  });
  const file = form.querySelector("[data-import]");
  form.querySelector("[data-import-button]").addEventListener("click", async () => {
    if (!file.files.length) {
      show(status, "Hãy chọn tệp khoá trước.");
      return;
    }
    show(status, "Đang mở tệp khoá…");
    // The passphrase field has no name: it is read here and never posted.
    const passphrase = document.getElementById("key-passphrase").value;
    try {
      submitRecord(await importKey(officer, await file.files[0].arrayBuffer(), passphrase));
    } catch (error) {
      show(status, error instanceof KeyFileError ? error.message
        : "Không đọc được tệp khoá: cần tệp khoá của Sổ cái (kèm cụm mật khẩu) hoặc khoá Ed25519 PKCS#8 không mật khẩu.");
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const signForm = document.querySelector("form[data-sign], form[data-sign-batch]");
  if (signForm) setUpSigning(signForm);
  const enrolForm = document.querySelector("form[data-enrol]");
  if (enrolForm) setUpEnrolment(enrolForm);
});
