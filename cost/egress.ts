/**
 * Bytes a client receives per streamed output token: one server-sent event per token, in the shape
 * of vLLM's OpenAI-compatible `chat.completion.chunk` (vllm/entrypoints/openai/protocol.py,
 * ChatCompletionStreamResponse), carrying a token of 4 characters (the mean for English text), plus
 * the HTTP/1.1 chunked-encoding frame around it.
 */
export function streamedBytesPerToken(servedModelName: string): number {
  const chunk = {
    id: `chatcmpl-${"0".repeat(32)}`,
    object: "chat.completion.chunk",
    created: 1_764_000_000,
    model: servedModelName,
    choices: [{ index: 0, delta: { content: " abc" }, logprobs: null, finish_reason: null }],
  };
  const event = `data: ${JSON.stringify(chunk)}\n\n`;
  const bytes = Buffer.byteLength(event, "utf8");
  // Chunked transfer encoding: the size in hex, CRLF, the data, CRLF.
  return bytes + bytes.toString(16).length + 4;
}
