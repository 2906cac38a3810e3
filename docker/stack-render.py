#!/usr/bin/env python3
"""Turns `docker compose -f docker-compose.yml -f docker/stack.yml config` (the Compose
Specification, already merged and interpolated) into the Compose file format 3.9 that
`docker stack deploy` reads. Only what the 3.x schema rejects is changed, nothing added:
  - long-form depends_on (conditions: Swarm has no start order) is dropped;
  - profiles, build, the top-level name, restart (Swarm: deploy.restart_policy) are dropped;
  - ports: published as an integer, no host_ip (Swarm publishes on every address of the
    node; docker/stack.yml uses mode host);
  - version: "3.9".
With WITSPER_STACK_NO_PORTS=1 no port is published at all (the test reaches nginx from a
container on the stack's own network). Reads stdin, writes stdout."""
import os
import sys
import yaml

doc = yaml.safe_load(sys.stdin)
doc.pop("name", None)
out = {"version": "3.9"}
for key in ("services", "networks", "volumes", "secrets", "configs"):
    if key in doc:
        out[key] = doc[key]
for svc in out.get("services", {}).values():
    for k in ("depends_on", "profiles", "build", "restart", "pull_policy"):
        svc.pop(k, None)
    if os.environ.get("WITSPER_STACK_NO_PORTS") == "1":
        svc.pop("ports", None)
    for p in svc.get("ports", []) or []:
        if isinstance(p, dict):
            p.pop("host_ip", None)
            if "published" in p:
                p["published"] = int(p["published"])
for net in (out.get("networks") or {}).values():
    if isinstance(net, dict):
        net.pop("name", None)
for vol in (out.get("volumes") or {}).values():
    if isinstance(vol, dict):
        vol.pop("name", None)
yaml.safe_dump(out, sys.stdout, default_flow_style=False, sort_keys=False)
