// Opening a PAR Ledger key file (format "par-ledger-key/v2", keys/files.py) in the browser,
// with WebCrypto only: PBKDF2-HMAC-SHA256 derives the wrapping key, AES-256-GCM opens the
// seed. The passphrase and the seed stay in this page; only the public key is posted.
"use strict";

const KEY_FILE_FORMAT = "par-ledger-key/v2";
// Limits of keys/files.py: fewer iterations are too weak; more would let a planted file keep
// the browser busy for minutes.
const MIN_ITERATIONS = 600000, MAX_ITERATIONS = 10000000;
const SALT_SIZE = 16, NONCE_SIZE = 12, SEED_SIZE = 32, GCM_TAG_SIZE = 16;
const KEY_ID_PATTERN = /^ed25519:[0-9a-f]{64}$/;
// PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410): the only form WebCrypto imports.
const ED25519_PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

class KeyFileError extends Error {}

// The bytes of a base64 member of the file, which must be `size` bytes long.
function keyFileBytes(text, size, member) {
  let bytes = null;
  try {
    bytes = typeof text === "string" ? Uint8Array.from(atob(text), (c) => c.charCodeAt(0)) : null;
  } catch (error) {
    bytes = null;
  }
  if (bytes === null || bytes.length !== size) {
    throw new KeyFileError(`Tệp khoá không đúng định dạng ${KEY_FILE_FORMAT}: trường ${member} không hợp lệ.`);
  }
  return bytes;
}

// PBKDF2-HMAC-SHA256 (RFC 8018) of the passphrase, in its NFC form as UTF-8, as keys/files.py
// derives it: `length` bytes.
async function derivePassphraseBytes(passphrase, salt, iterations, length) {
  const password = new TextEncoder().encode(passphrase.normalize("NFC"));
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", salt, iterations, hash: "SHA-256" }, key, length * 8);
  return new Uint8Array(bits);
}

// The file's JSON object with its KDF and cipher checked, or KeyFileError in Vietnamese.
function parseKeyFile(text) {
  let doc = null;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    doc = null;
  }
  const format = doc !== null && typeof doc === "object" ? doc.format : undefined;
  if (typeof format !== "string" || !format.startsWith("par-ledger-key/")) {
    throw new KeyFileError("Tệp không phải tệp khoá của Sổ cái.");
  }
  if (format !== KEY_FILE_FORMAT) {
    throw new KeyFileError(`Tệp khoá có phiên bản định dạng ${format} không được hỗ trợ; chỉ nhận ${KEY_FILE_FORMAT}.`);
  }
  const kdf = doc.kdf || {}, cipher = doc.cipher || {};
  if (kdf.name !== "PBKDF2-HMAC-SHA256") {
    throw new KeyFileError("Tệp khoá dùng hàm dẫn xuất khoá khác; chỉ nhận PBKDF2-HMAC-SHA256.");
  }
  if (cipher.name !== "AES-256-GCM") {
    throw new KeyFileError("Tệp khoá dùng thuật toán mã hoá khác; chỉ nhận AES-256-GCM.");
  }
  if (!Number.isSafeInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) {
    throw new KeyFileError(
      `Tệp khoá có số vòng lặp PBKDF2 không được chấp nhận; chỉ nhận từ ${MIN_ITERATIONS} đến ${MAX_ITERATIONS}.`);
  }
  if (typeof doc.key_id !== "string" || !KEY_ID_PATTERN.test(doc.key_id)) {
    throw new KeyFileError(`Tệp khoá không đúng định dạng ${KEY_FILE_FORMAT}: trường key_id không hợp lệ.`);
  }
  return doc;
}

// The 32-byte Ed25519 seed in a key file, or KeyFileError with the reason in Vietnamese.
async function openKeyFile(text, passphrase) {
  const doc = parseKeyFile(text);
  const salt = keyFileBytes(doc.kdf.salt, SALT_SIZE, "kdf.salt");
  const nonce = keyFileBytes(doc.cipher.nonce, NONCE_SIZE, "cipher.nonce");
  const ciphertext = keyFileBytes(doc.ciphertext, SEED_SIZE + GCM_TAG_SIZE, "ciphertext");
  const wrapping = await derivePassphraseBytes(passphrase, salt, doc.kdf.iterations, 32);
  const aesKey = await crypto.subtle.importKey("raw", wrapping, "AES-GCM", false, ["decrypt"]);
  const aad = new TextEncoder().encode(`${KEY_FILE_FORMAT}\n${doc.key_id}`);
  let seed;
  try {
    seed = new Uint8Array(await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 }, aesKey, ciphertext));
  } catch (error) {
    throw new KeyFileError("Sai cụm mật khẩu của tệp khoá, hoặc tệp đã bị hỏng.");
  }
  return { seed, keyId: doc.key_id };
}

function pkcs8OfSeed(seed) {
  const der = new Uint8Array(ED25519_PKCS8_PREFIX.length + seed.length);
  der.set(ED25519_PKCS8_PREFIX, 0);
  der.set(seed, ED25519_PKCS8_PREFIX.length);
  return der;
}
