"""What bench/run, bench/report and bench/gen-monolith share: the repository
paths, the variants and scenarios of the benchmark, and loading a script of
this repository (a file without .py) as a module.

The scripts import it from their own directory (Python puts a script's
directory first on sys.path); they set sys.dont_write_bytecode first, so no
__pycache__ is left in bench/.
"""

import importlib.util
import os
import sys
from importlib.machinery import SourceFileLoader

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)

# The four variants of every scenario, in run order (see bench/README.md).
VARIANTS = ["A", "B", "D", "C"]
SCENARIOS = ["cold", "noop", "leaf", "core", "gomod", "ci", "cigc",
             "strip-cold", "strip-leaf", "2p-cold", "2p-leaf", "sbom-cold", "sbom-leaf", "citest",
             "services", "reports-cached", "reports-ci"]
PROJECTS = ["hello", "monolith"]
# Variants beside A, B, D, C, each in scenarios of its own:
#   S  gofront with its own defaults (-ldflags=-s -w); C runs with
#      GOFRONT_BUILD_STRIP=false, the same flags as A, B and D;
#   E  the expert Dockerfile cross-compiling on $BUILDPLATFORM for
#      TWO_PLATFORMS (bench/dockerfiles/E.Dockerfile);
#   P  gofront for TWO_PLATFORMS;
#   M  gofront with --sbom=true (its own SPDX step; C is the same build
#      without it);
#   O  gofront of before test reports (commit 3e6bee3: a plain `go test` in
#      the test step), loaded as PREV_IMAGE by `bench/run --prev-bin` and
#      chosen with BUILDKIT_SYNTAX (the spec's `# syntax=` line stays);
#   R  gofront with test reports (gofront:dev): the same test step through
#      `gofront testreport`.
EXTRA_VARIANTS = ["S", "E", "P", "M", "O", "R"]
# The frontend image of variant O.
PREV_IMAGE = "gofront:prev"
TWO_PLATFORMS = "linux/amd64,linux/arm64"
# The scenarios with variants of their own: (baseline, variant, the ratio
# variant/baseline bench/report checks, or None).
EXTRA = {
    "strip-cold": ("C", "S", None),
    "strip-leaf": ("C", "S", None),
    "2p-cold": ("E", "P", 1.05),
    "2p-leaf": ("E", "P", 1.10),
    "sbom-cold": ("C", "M", None),
    "sbom-leaf": ("C", "M", None),
}
# Scenarios whose target is an added time instead: variant - baseline,
# paired per round, at most this many seconds (median).
EXTRA_ADDED = {"sbom-cold": 0.2, "sbom-leaf": 0.2}
# "cigc": a fresh CI runner that carries the Go build cache: D with the
# cache dance written by hand, gofront with --target gocache and the
# gocache build context.
CIGC_VARIANTS = ["D", "C"]
# "citest": a fresh CI runner's whole job with tests. T is D with a test
# stage (bench/dockerfiles/T.Dockerfile), TD the same with the cache dance,
# C gofront's seeded job (test, image, gocache with GOFRONT_GOCACHE_TESTS),
# W gofront's --target test on the warm builder just before (the laptop's
# re-run of the same edit).
CITEST_VARIANTS = ["T", "TD", "C"]
# "services" (monolith only): its main package split into three services
# (cmd/api, cmd/worker, cmd/migrate, each linking a third of the packages),
# each variant a `docker buildx bake` of the three: D3 the expert
# Dockerfile with a stage per service (bench/dockerfiles/D3.Dockerfile), C3
# gofront's binary targets. Cold (pruned engine), then a leaf edit that only
# one service links.
SERVICES = ["api", "worker", "migrate"]
SERVICES_VARIANTS = ["D3", "C3"]
# "reports-cached" and "reports-ci" (test reports' cost): O (without
# reports) against R (with), each in a copy of its own, in alternating order
# per round. reports-cached: `--target test` with nothing changed, and R's
# `--target test-report --output type=local`. reports-ci: citest's gofront
# job on a fresh runner (pruned engine, --cache-from, the previous job's
# Go cache as its seed, one leaf edit): `--target test`, then R's
# report export, the Go cache and the layer cache saved.
REPORTS_VARIANTS = ["O", "R"]
# Their targets: R/O at most this (median of the paired ratios).
REPORTS_TARGETS = {"reports-cached": 1.2, "reports-ci": 1.1}


def scenario_variants(scenario):
    """The variants one round of `scenario` builds, in order."""
    if scenario == "cigc":
        return CIGC_VARIANTS
    if scenario in ("citest", "services", "reports-cached", "reports-ci"):
        return []
    if scenario in EXTRA:
        return list(EXTRA[scenario][:2])
    return VARIANTS


def load_script(name, path):
    """Imports the Python script at `path` (no .py suffix) as module `name`."""
    sys.dont_write_bytecode = True
    loader = SourceFileLoader(name, path)
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def make_goproxy():
    """scripts/make-goproxy, as a module."""
    return load_script("make_goproxy", os.path.join(REPO, "scripts", "make-goproxy"))
