/**
 * One redaction pass for every output: the credential shapes secret scanners know, wherever they sit.
 * Canaries are written here by hand (the oracle); each must vanish from what the pass returns.
 */
import { describe, expect, it } from "vitest";
import { redact } from "../cost/config/redact";
import { errorOf, base, merge } from "./helpers";

const CANARIES: [string, string][] = [
  ["URL password with quotes", `http://admin:p'a"ss@prometheus.monitoring:9090/api/v1/query`],
  ["URL userinfo without a password", "https://tok3nUs3r@example.com/x"],
  ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWFwZXIifQ.c2lnbmF0dXJl"],
  ["PEM body", "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"],
  ["AWS temporary key id", "ASIAABCDEFGHIJKLMNOP"],
  ["AWS long-term key id", "AKIAABCDEFGHIJKLMNOP"],
  ["AWS secret key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ["Hugging Face token", "hf_abcdefghijklmnop"],
  ["bearer header", "Authorization: Bearer abc.def-123456"],
  ["basic header", "Authorization: Basic dXNlcjpwYXNz"],
];

describe("redact", () => {
  it.each(CANARIES)("removes a %s", (_name, secret) => {
    const secretPart =
      secret.match(/:\/\/([^@\s/]+)@/)?.[1] ??
      secret.match(/(?:Bearer|Basic) (\S+)/)?.[1] ??
      secret.match(/BEGIN PRIVATE KEY-----\n(\S+)/)?.[1] ??
      secret;
    const out = redact(`before ${secret} after`);
    expect(out).not.toContain(secretPart);
    expect(out.startsWith("before ")).toBe(true);
  });

  it("keeps ordinary text and the host of a URL", () => {
    expect(redact("scaling.max 4 at http://admin:pw@prom:9090")).toBe(
      "scaling.max 4 at http://***@prom:9090",
    );
    expect(redact("llama-3.3-70b on p5.48xlarge")).toBe("llama-3.3-70b on p5.48xlarge");
  });

  it("a token in an unknown key's name never reaches a config error", () => {
    const msg = errorOf(merge(base.aws, { hf_abcdefghijklmnopqrstu: 1 }));
    expect(msg).not.toContain("hf_abcdefghijklmnopqrstu");
    expect(msg).toContain("unknown setting");
  });
});

describe("identifiers the reader needs are kept", () => {
  it.each([
    "app/vllm-lb-alb/0123456789abcdef",
    "targetgroup/vllm-lb-vllm/0123456789abcdef",
    "accounts/fireworks/models/deepseek-v3p2",
  ])("%s", (id) => {
    expect(redact(`cloudwatch ${id}`)).toBe(`cloudwatch ${id}`);
  });
});
