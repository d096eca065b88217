"""A stand-in for the vLLM OpenAI-compatible server, started with the engine's rendered command line.

It is NOT vLLM: no GPU, no weights, no generation. It parses the command line with the pinned extract
of vLLM's parser (vllm_args.py), then serves vLLM's HTTP surface as v0.11.0 does for what the kit
relies on: /health, /v1/models (the served name, `root` = the model it loaded), /v1/chat/completions
(404 for another model name), /metrics with vLLM's metric names, and the API key from --api-key or
VLLM_API_KEY on every /v1 route (vllm/entrypoints/openai/api_server.py, AuthenticationMiddleware).
It listens on 127.0.0.1 at $STANDIN_PORT (the rendered --host/--port are for a pod, not this machine).
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
from vllm_args import parse  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "vllm-v0.11.0-api-server.json"), encoding="utf-8") as f:
    ARGS = parse(json.load(f), sys.argv[1:])
SERVED = (ARGS["served_model_name"] or [ARGS["model"]])[0]
KEYS = ARGS["api_key"] or ([os.environ["VLLM_API_KEY"]] if os.environ.get("VLLM_API_KEY") else [])


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *_):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self):
        if not self.path.startswith("/v1") or not KEYS:
            return True
        if self.headers.get("Authorization") in ["Bearer " + k for k in KEYS]:
            return True
        self.reply(401, {"error": "Unauthorized"})
        return False

    def do_GET(self):
        if not self.authorised():
            return
        if self.path == "/health":
            self.reply(200, "", "text/plain")
        elif self.path == "/v1/models":
            self.reply(200, {"object": "list", "data": [{"id": SERVED, "object": "model", "root": ARGS["model"]}]})
        elif self.path == "/metrics":
            labels = '{model_name="%s"}' % SERVED
            text = "".join(
                "%s%s %s\n" % (m, labels, 0)
                for m in ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:request_success_total")
            )
            self.reply(200, text, "text/plain; version=0.0.4")
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        if not self.authorised():
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if self.path != "/v1/chat/completions":
            self.reply(404, {"error": "not found"})
        elif body.get("model") != SERVED:
            self.reply(404, {"error": {"message": "The model `%s` does not exist." % body.get("model"), "code": 404}})
        else:
            self.reply(200, {
                "object": "chat.completion",
                "model": SERVED,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "loaded " + ARGS["model"]}}],
            })


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["STANDIN_PORT"])), Handler)
print("ready", flush=True)
server.serve_forever()
