// Users' tokens: 32 random bytes, shown once; only their SHA-256 is stored and compared.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time equality of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** A gateway job id, Geoapify-like: 32 lower-case hex digits. */
export function newJobId(): string {
  return randomBytes(16).toString("hex");
}
