"""Parses a vLLM engine command line with the options of the pinned extract
(tests/contracts/vllm-v0.11.0-api-server.json), using Python's own argparse as vLLM does, and applies
the entrypoint's semantics for the positional model tag. Prints the parsed settings as JSON; exits 2
with argparse's message when vLLM would refuse the command line.

Usage: python3 vllm_args.py EXTRACT.json COMMAND... (COMMAND: the container's command and args)
"""
import argparse
import json
import sys

TYPES = {"str": str, "int": int, "float": float}


def build_parser(extract):
    parser = argparse.ArgumentParser(prog="vllm.entrypoints.openai.api_server", allow_abbrev=False)
    for p in extract["positionals"]:
        parser.add_argument(p["dest"], nargs=p.get("nargs"))
    for o in extract["options"]:
        kwargs = {}
        action = o.get("action")
        if action == "boolean-optional":
            kwargs["action"] = argparse.BooleanOptionalAction
        elif action:
            kwargs["action"] = action
        else:
            kwargs["type"] = TYPES[o["type"]]
            for key in ("nargs", "choices"):
                if key in o:
                    kwargs[key] = o[key]
        if "default" in o:
            kwargs["default"] = o["default"]
        parser.add_argument(*o["flags"], **kwargs)
    return parser


def parse(extract, argv):
    entry = extract["entrypoint"]
    if argv[: len(entry)] == entry:
        kind, rest = " ".join(entry), argv[len(entry):]
    elif argv[:2] == ["vllm", "serve"]:
        kind, rest = "vllm serve", argv[2:]
    else:
        sys.stderr.write("not a vLLM OpenAI server command: %r\n" % argv[:3])
        sys.exit(2)
    ns = build_parser(extract).parse_args(rest)
    if extract["modelTagCopiedToModel"][kind] and ns.model_tag:
        ns.model = ns.model_tag
    if ns.model is None:
        ns.model = extract["modelDefault"]
    return vars(ns)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        extract = json.load(f)
    print(json.dumps(parse(extract, sys.argv[2:])))
