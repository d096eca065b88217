"""Parses the production-stack router's arguments with the pinned extract
(tests/contracts/router-0.1.9.json) and the checks of its validate_args. Prints the settings as JSON;
exits 2 (argparse) or 1 (validate_args) with the router's own message when the router would refuse.

Usage: python3 router_args.py EXTRACT.json ARGS...
"""
import argparse
import json
import sys

TYPES = {"str": str, "int": int}


def parse(extract, argv):
    parser = argparse.ArgumentParser(prog="vllm-router")
    for o in extract["options"]:
        kwargs = {"action": o["action"]} if "action" in o else {"type": TYPES[o["type"]]}
        for key in ("choices", "default"):
            if key in o:
                kwargs[key] = o[key]
        parser.add_argument(*o["flags"], **kwargs)
    ns = parser.parse_args(argv)
    problems = []
    if not ns.routing_logic:
        problems.append("--routing-logic must be provided.")
    if not ns.service_discovery:
        problems.append("--service-discovery must be provided.")
    if ns.service_discovery == "k8s" and ns.k8s_port is None:
        problems.append("K8s port must be provided when using K8s service discovery.")
    if ns.routing_logic == "session" and ns.session_key is None:
        problems.append("Session key must be provided when using session routing logic.")
    if ns.engine_stats_interval <= 0:
        problems.append("Engine stats interval must be greater than 0.")
    if ns.request_stats_window <= 0:
        problems.append("Request stats window must be greater than 0.")
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        sys.exit(1)
    return vars(ns)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(json.dumps(parse(json.load(f), sys.argv[2:])))
