#!/usr/bin/env python3
"""Scrapes a Prometheus text endpoint and parses it with Prometheus' own client library.

Usage: prometheus_scrape.py URL
Prints {"samples": [{"name", "labels", "value"}], "types": {family: type}} as JSON; exits 1 with
the reason when the page cannot be fetched or does not parse (the test shows it).
"""
import json
import math
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    url = sys.argv[1]
    with urllib.request.urlopen(url, timeout=10) as reply:
        content_type = reply.headers.get("Content-Type", "")
        text = reply.read().decode("utf-8")
    samples, types = [], {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            value = None if math.isnan(s.value) else s.value
            samples.append({"name": s.name, "labels": s.labels, "value": value})
    json.dump({"content_type": content_type, "samples": samples, "types": types}, sys.stdout,
              ensure_ascii=False)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # the test prints this
        print(f"prometheus_scrape.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
