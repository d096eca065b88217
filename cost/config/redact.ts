/**
 * The one redaction pass for everything that leaves the process: config errors, the reaper's
 * messages, reasons and audit records. Credential shapes are replaced wherever they sit, in values,
 * key names and server answers alike (secret scanners' shapes: gitleaks, trufflehog).
 */
const SHAPES: readonly RegExp[] = [
  // PEM blocks (private keys, certificates), whole.
  /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g,
  // URL userinfo with any characters (quotes included): scheme://user:password@host.
  /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/]+@/gi,
  // JSON Web Tokens: header.payload.signature, base64url.
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  // Provider tokens and AWS access key ids (long-term AKIA, temporary ASIA).
  /\b(hf_[A-Za-z0-9]{8,}|sk-[A-Za-z0-9_-]{8,}|(AKIA|ASIA)[A-Z0-9]{12,})/g,
  // Bearer and basic credentials in headers, whatever follows.
  /\b(Bearer|Basic)\s+\S{8,}/gi,
  // Long unbroken runs of token characters (AWS secret keys are 40, API keys and hashes longer).
  /[A-Za-z0-9+/_=-]{32,}/g,
];

export function redact(text: string): string {
  let out = text;
  for (const shape of SHAPES)
    out = out.replace(shape, (m, scheme: unknown) =>
      typeof scheme === "string" && shape === SHAPES[1] ? `${scheme}***@` : "[redacted]",
    );
  return out;
}
