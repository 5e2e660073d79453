// Opening a PAR Ledger key file (format "par-ledger-key/v1", keys/files.py) in the browser:
// scrypt (RFC 7914) in JavaScript, since WebCrypto has none, then AES-256-GCM and PBKDF2 by
// WebCrypto. The passphrase and the seed stay in this page; only the public key is posted.
"use strict";

const KEY_FILE_FORMAT = "par-ledger-key/v1";
// Limits of keys/files.py: a planted file must not make the browser spend minutes or gigabytes.
const MIN_N = 2 ** 17, MAX_N = 2 ** 20, MAX_WORK = 2 ** 20 * 8;
// PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410): the only form WebCrypto imports.
const ED25519_PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

function keyFileBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// Salsa20/8 core on 16 words, in place.
function salsa208(B) {
  let x0 = B[0], x1 = B[1], x2 = B[2], x3 = B[3], x4 = B[4], x5 = B[5], x6 = B[6], x7 = B[7],
    x8 = B[8], x9 = B[9], x10 = B[10], x11 = B[11], x12 = B[12], x13 = B[13], x14 = B[14], x15 = B[15], u;
  for (let i = 0; i < 8; i += 2) {
    u = (x0 + x12) | 0; x4 ^= (u << 7) | (u >>> 25); u = (x4 + x0) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0; x12 ^= (u << 13) | (u >>> 19); u = (x12 + x8) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0; x9 ^= (u << 7) | (u >>> 25); u = (x9 + x5) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0; x1 ^= (u << 13) | (u >>> 19); u = (x1 + x13) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0; x14 ^= (u << 7) | (u >>> 25); u = (x14 + x10) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0; x6 ^= (u << 13) | (u >>> 19); u = (x6 + x2) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0; x3 ^= (u << 7) | (u >>> 25); u = (x3 + x15) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0; x11 ^= (u << 13) | (u >>> 19); u = (x11 + x7) | 0; x15 ^= (u << 18) | (u >>> 14);
    u = (x0 + x3) | 0; x1 ^= (u << 7) | (u >>> 25); u = (x1 + x0) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0; x3 ^= (u << 13) | (u >>> 19); u = (x3 + x2) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0; x6 ^= (u << 7) | (u >>> 25); u = (x6 + x5) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0; x4 ^= (u << 13) | (u >>> 19); u = (x4 + x7) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0; x11 ^= (u << 7) | (u >>> 25); u = (x11 + x10) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0; x9 ^= (u << 13) | (u >>> 19); u = (x9 + x8) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0; x12 ^= (u << 7) | (u >>> 25); u = (x12 + x15) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0; x14 ^= (u << 13) | (u >>> 19); u = (x14 + x13) | 0; x15 ^= (u << 18) | (u >>> 14);
  }
  B[0] += x0; B[1] += x1; B[2] += x2; B[3] += x3; B[4] += x4; B[5] += x5; B[6] += x6; B[7] += x7;
  B[8] += x8; B[9] += x9; B[10] += x10; B[11] += x11; B[12] += x12; B[13] += x13; B[14] += x14; B[15] += x15;
}

// BlockMix with Salsa20/8 (RFC 7914 §4) of the 2r 16-word blocks of B, through scratch Y.
function blockMix(B, Y, X, r) {
  X.set(B.subarray((2 * r - 1) * 16, 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    for (let j = 0; j < 16; j++) X[j] ^= B[i * 16 + j];
    salsa208(X);
    Y.set(X, i * 16);
  }
  for (let i = 0; i < r; i++) {
    B.set(Y.subarray(2 * i * 16, (2 * i + 1) * 16), i * 16);
    B.set(Y.subarray((2 * i + 1) * 16, (2 * i + 2) * 16), (r + i) * 16);
  }
}

// ROMix (RFC 7914 §5) of one 128r-byte block, in place.
function roMix(block, N, r) {
  const words = 32 * r;
  const B = new Uint32Array(words);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  for (let i = 0; i < words; i++) B[i] = view.getUint32(i * 4, true);
  const V = new Uint32Array(words * N);
  const Y = new Uint32Array(words);
  const X = new Uint32Array(16);
  for (let i = 0; i < N; i++) {
    V.set(B, i * words);
    blockMix(B, Y, X, r);
  }
  for (let i = 0; i < N; i++) {
    const j = B[(2 * r - 1) * 16] & (N - 1);
    for (let k = 0; k < words; k++) B[k] ^= V[j * words + k];
    blockMix(B, Y, X, r);
  }
  for (let i = 0; i < words; i++) view.setUint32(i * 4, B[i], true);
}

async function pbkdf2Sha256(password, salt, length) {
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", salt, iterations: 1, hash: "SHA-256" }, key, length * 8);
  return new Uint8Array(bits);
}

// scrypt(P, S, N, r, p, dkLen) of RFC 7914.
async function scrypt(password, salt, N, r, p, length) {
  const B = await pbkdf2Sha256(password, salt, p * 128 * r);
  for (let i = 0; i < p; i++) roMix(B.subarray(i * 128 * r, (i + 1) * 128 * r), N, r);
  return pbkdf2Sha256(password, B, length);
}

class KeyFileError extends Error {}

// The 32-byte Ed25519 seed in a key file, or KeyFileError with the reason in Vietnamese.
async function openKeyFile(text, passphrase) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new KeyFileError("Tệp không phải tệp khoá của Sổ cái (không đọc được JSON).");
  }
  if (!doc || doc.format !== KEY_FILE_FORMAT || !doc.kdf || !doc.cipher) {
    throw new KeyFileError(`Tệp không phải tệp khoá định dạng ${KEY_FILE_FORMAT}.`);
  }
  const { n, r, p } = doc.kdf;
  const ok = doc.kdf.name === "scrypt" && doc.cipher.name === "AES-256-GCM" && Number.isInteger(n) &&
    Number.isInteger(r) && Number.isInteger(p) && (n & (n - 1)) === 0 && n >= MIN_N && n <= MAX_N &&
    r >= 8 && p >= 1 && n * r * p <= MAX_WORK;
  if (!ok) throw new KeyFileError("Tệp khoá có tham số scrypt không được chấp nhận.");
  const password = new TextEncoder().encode(passphrase.normalize("NFC"));
  const wrapping = await scrypt(password, keyFileBase64(doc.kdf.salt), n, r, p, 32);
  const aesKey = await crypto.subtle.importKey("raw", wrapping, "AES-GCM", false, ["decrypt"]);
  const aad = new TextEncoder().encode(`${KEY_FILE_FORMAT}\n${doc.key_id}`);
  let seed;
  try {
    seed = new Uint8Array(await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: keyFileBase64(doc.cipher.nonce), additionalData: aad, tagLength: 128 },
      aesKey, keyFileBase64(doc.ciphertext)));
  } catch (error) {
    throw new KeyFileError("Sai cụm mật khẩu của tệp khoá, hoặc tệp đã bị hỏng.");
  }
  if (seed.length !== 32) throw new KeyFileError("Tệp khoá không chứa khoá Ed25519.");
  return { seed, keyId: doc.key_id };
}

function pkcs8OfSeed(seed) {
  const der = new Uint8Array(ED25519_PKCS8_PREFIX.length + seed.length);
  der.set(ED25519_PKCS8_PREFIX, 0);
  der.set(seed, ED25519_PKCS8_PREFIX.length);
  return der;
}
