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

/**
 * A long run is a credential when it looks random: an opaque blob with no path or word separators, or
 * mixed upper and lower case with digits (an AWS secret key has all three and may hold a "/"). A
 * resource path of words ("app/vllm-lb-alb/0123456789abcdef", a load balancer's metric dimension) is
 * an identifier the reader needs, not a secret.
 */
function looksRandom(run: string): boolean {
  const opaque = !/[/-]/.test(run);
  const mixed = /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run);
  return opaque || mixed;
}

export function redact(text: string): string {
  let out = text;
  SHAPES.forEach((shape, i) => {
    out = out.replace(shape, (m: string, scheme: unknown) => {
      if (i === 1 && typeof scheme === "string") return `${scheme}***@`;
      if (i === SHAPES.length - 1 && !looksRandom(m)) return m;
      return "[redacted]";
    });
  });
  return out;
}
