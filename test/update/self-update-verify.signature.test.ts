import { createHash, generateKeyPairSync, sign } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { releaseProblem } from "../../agent/self-update-verify";
import { releaseMessage } from "../../shared/release-message";

const platform = { os: "linux", arch: "x64" };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-verify-"));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = path.join(dir, "tracker-agent-linux-x64");
const data = Buffer.from("#!/bin/sh\necho agent 2\n");
fs.writeFileSync(file, data);
const sha256 = createHash("sha256").update(data).digest("hex");
const releaseKey = generateKeyPairSync("ed25519");
const publicPem = releaseKey.publicKey.export({ type: "spki", format: "pem" }).toString();

function offer(version: string, key = releaseKey.privateKey) {
  const identity = { version, ...platform, size: data.length, sha256 };
  return { version, size: data.length, sha256, signature: sign(null, releaseMessage(identity), key) };
}

t.test("a file whose size, sha256 and signature match the offer is accepted", async (t) => {
  t.equal(await releaseProblem(file, offer("2.0.0"), platform, publicPem), null);
});

t.test("a signature by any other key is refused", async (t) => {
  const other = generateKeyPairSync("ed25519").privateKey;
  t.match(await releaseProblem(file, offer("2.0.0", other), platform, publicPem), /signature/);
});

t.test("a signed file offered as another version or platform is refused", async (t) => {
  const signedForV2 = offer("2.0.0");
  t.match(await releaseProblem(file, { ...signedForV2, version: "9.0.0" }, platform, publicPem), /signature/);
  t.match(await releaseProblem(file, signedForV2, { os: "win32", arch: "x64" }, publicPem), /signature/);
});

t.test("one changed byte is refused by its sha256 before the signature is checked", async (t) => {
  const tampered = path.join(dir, "tampered");
  fs.writeFileSync(tampered, Buffer.from(data).fill(0x41, 0, 1));
  t.match(await releaseProblem(tampered, offer("2.0.0"), platform, publicPem), /sha256/);
});
