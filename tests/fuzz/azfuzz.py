"""Fuzz azroute as an attacker would: mutate every example and fixture, run the CLI, report what breaks.

    python tests/fuzz/azfuzz.py --inputs 10000        # make fuzz
    python tests/fuzz/azfuzz.py --budget 60           # make test (CI): about a minute

Seeds are every YAML/JSON file under examples/ and tests/**/fixtures plus the ARM and Terraform test
exports (the az-list folder is fuzzed as a folder, one file mutated at a time). Each input gets 1-3
mutations: structural (keys and items dropped, duplicated, moved; deep nesting; long lists), type (a
value replaced by null, a number, a string, a list, a mapping), domain (prefixes, addresses, ports,
names with control characters, resource IDs in another case, values swapped for other values of the
document) or text-level (lines dropped or repeated, truncation, bytes flipped, invalid UTF-8, BOM,
YAML anchors, merge keys, complex keys, tags, alias bombs).

Each input is run as routes --all, trace, check and export (intents, service tags and overlay
seeds in the role they play), in a forked child with a CPU-time limit per command and an
address-space limit, by two workers started with different PYTHONHASHSEEDs. A finding is:

- traceback: an exception reached the last-resort handler (exit 70) or escaped it;
- memory: MemoryError under the address-space limit;
- hang: a command used more CPU time than the limit (or the child outlived the wall-clock limit);
- nondeterminism: the two workers disagree on exit code, stdout or stderr;
- exit: an exit code other than 0, 1, 2, or exit 2 without an 'error:' last line on stderr;
- control: a raw control character (other than newline) in the output.

Findings are minimized (items and keys removed, or lines for text-level inputs, while the finding
stays the same) and written to .fuzz/findings/<id>/ with the command and the traceback; the run
exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import hashlib
import importlib
import io
import json
import os
import pkgutil
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SCENARIO_A = REPO / "examples" / "private-link-gateway" / "scenario-a.yaml"
INTENTS_A = REPO / "examples" / "private-link-gateway" / "intents.yaml"
CPU_SECONDS = 10  # per command: no input of the fuzzer's size needs a second
WALL_SECONDS = 120  # per input, all commands: a child blocked outside the CPU (a read) is a hang too
MEMORY_BYTES = 1 << 30  # address space a child may add to its parent's
MAX_INPUT_BYTES = 4 << 20  # a mutated input larger than this is dropped (real exports of this size load in seconds)


# --- seeds ------------------------------------------------------------------------------------


@dataclass
class Seed:
    """One file to mutate and the commands that exercise it ({input} is the mutated file)."""

    path: Path  # the file (a folder member for folder seeds)
    role: str  # topology | intents | service_tags | overlay
    folder: Path | None = None  # an az-list folder the file belongs to
    commands: list[list[str]] = field(default_factory=list)


def _names(path: Path) -> tuple[str, str]:
    """A source VM and a destination (PE, VM or address) the seed defines, for trace and check."""
    from azroute.errors import AzrouteError  # noqa: PLC0415 - only the coordinator loads topologies
    from azroute.ingest import load_any  # noqa: PLC0415

    try:
        topology = load_any(path).topology
    except AzrouteError:
        return "hubvm", "sql"
    vms = [name for name, vm in topology.vms.items() if vm.subnet]
    source = vms[0] if vms else next(iter(topology.vms), "hubvm")
    destination = next(iter(topology.private_endpoints), None) or (vms[-1] if len(vms) > 1 else "10.0.0.4")
    return source, destination


def _role(path: Path) -> str:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return "topology"
    if isinstance(data, dict) and "intents" in data:
        return "intents"
    if isinstance(data, dict) and isinstance(data.get("values"), list) and ("cloud" in data or "changeNumber" in data):
        return "service_tags"
    if path.name.startswith("overlay"):
        return "overlay"
    return "topology"


def _topology_commands(target: str, work: Path, source: str, destination: str) -> list[list[str]]:
    intents = work / f"intents-{hashlib.sha1(f'{source}{destination}'.encode()).hexdigest()[:8]}.yaml"
    if not intents.exists():
        to = f"pe:{destination}" if not destination[0].isdigit() else f"prefix:{destination}/32"
        intents.write_text(yaml.safe_dump({"intents": [
            {"name": "fuzz-reach", "from": f"vm:{source}", "to": to, "ports": [443, 1433]},
            {"name": "fuzz-blocked", "from": f"vm:{source}", "to": "prefix:0.0.0.0/0", "expect": "blocked"}]}),
            encoding="utf-8")
        if not destination[0].isdigit():  # the destination may be a VM rather than an endpoint
            text = intents.read_text(encoding="utf-8")
            intents.write_text(text.replace(f"pe:{destination}", f"{_kind(destination)}:{destination}"),
                               encoding="utf-8")
    return [["routes", target, "--all"],
            ["trace", target, "--from", source, "--to", destination, "--port", "443", "--logs"],
            ["check", target, str(intents)],
            ["export", target, "-o", "json"]]


_PE_NAMES: set[str] = set()


def _kind(name: str) -> str:
    return "pe" if name in _PE_NAMES else "vm"


def collect_seeds(work: Path) -> list[Seed]:
    files = sorted({*REPO.glob("examples/**/*.yaml"), *REPO.glob("examples/**/*.json"),
                    *REPO.glob("tests/**/fixtures/**/*.yaml"), *REPO.glob("tests/**/fixtures/**/*.json"),
                    *REPO.glob("tests/ingest/arm/*.json"), *REPO.glob("tests/ingest/terraform/*.json")})
    seeds: list[Seed] = []
    for path in files:
        role = _role(path)
        if role == "intents":
            seeds.append(Seed(path, role, commands=[["check", str(SCENARIO_A), "{input}"],
                                                    ["check", str(SCENARIO_A), "{input}", "-o", "json"]]))
        elif role == "service_tags":
            seeds.append(Seed(path, role, commands=[["routes", str(SCENARIO_A), "--all", "--service-tags", "{input}"],
                                                    ["export", str(SCENARIO_A), "--service-tags", "{input}"]]))
        elif role == "overlay":
            seeds.append(Seed(path, role, commands=[
                ["routes", str(SCENARIO_A), "--all", "--overlay", "{input}"],
                ["trace", str(SCENARIO_A), "--overlay", "{input}", "--from", "onpremvm", "--to", "sql"],
                ["export", str(SCENARIO_A), "--overlay", "{input}"]]))
        else:
            source, destination = _seed_names(path)
            seeds.append(Seed(path, role, commands=_topology_commands("{input}", work, source, destination)))
    folder = REPO / "tests" / "ingest" / "arm" / "seed-az"
    source, destination = _seed_names(folder)
    for path in sorted(folder.glob("*.json")):
        seeds.append(Seed(path, "topology", folder,
                          _topology_commands("{input}", work, source, destination)))
    return seeds


def _seed_names(path: Path) -> tuple[str, str]:
    from azroute.errors import AzrouteError  # noqa: PLC0415
    from azroute.ingest import load_any  # noqa: PLC0415

    with contextlib.suppress(AzrouteError):
        _PE_NAMES.update(load_any(path).topology.private_endpoints)
    return _names(path)


# --- mutations ----------------------------------------------------------------------------------

NASTY_STRINGS = ["", " ", "x" * 5000, "azfw\n::error title=x::forged", "\x1b]0;owned\x07\x1b[31m", "\x00",
                 "a/b", "../../etc/passwd", "名前", "\ud800", "\u202e", "*", "0", "true", "null",
                 "-1", "1e999", "10.0.0.0/8", "0.0.0.0/0", "10.0.0.0/33", "10.0.0.1/24", "256.1.1.1", "::1",
                 "fe80::/64", "10.0.0.4", "255.255.255.255", "VirtualAppliance", "None", "Internet",
                 "VirtualNetworkGateway", "unknown", "/subscriptions/x/resourceGroups/y", "1-65535", "65536"]
NASTY_VALUES: list[Any] = [None, 0, -1, 1, 2**70, 1.5, float("inf"), True, False, [], {}, [[]], [{}], {"": None}]


def _nodes(data: Any) -> list[tuple[Any, Any]]:
    """(container, key) for every node below the root."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    while stack and len(found) < 200_000:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            found.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return found


def _strings(data: Any) -> list[str]:
    return [c[k] for c, k in _nodes(data) if isinstance(c[k], str)][:5000] + \
        [k for c, k in _nodes(data) if isinstance(k, str)][:5000]


def _rename(container: dict[Any, Any], key: Any, new: Any) -> None:
    items = list(container.items())
    container.clear()
    for k, v in items:
        container[new if k == key else k] = v


def _domain_string(rng: random.Random, value: str, pool: list[str]) -> str:
    choice = rng.randrange(8)
    if choice == 0 and "/" in value and value[:1].isdigit():
        return value.split("/", maxsplit=1)[0] + "/" + str(rng.choice([0, 1, 8, 16, 24, 31, 32, 33, -1]))
    if choice == 1 and value.count(".") == 3 and value[:1].isdigit():
        parts = value.split("/", maxsplit=1)[0].split(".")
        parts[rng.randrange(4)] = str(rng.choice([0, 255, 256, 999, -1]))
        return ".".join(parts)
    if choice == 2 and value.startswith("/subscriptions/"):
        return rng.choice([value.upper(), value.lower(), value.rsplit("/", 1)[0], value + "/extra", value.swapcase()])
    if choice == 3 and pool:
        return rng.choice(pool)
    if choice == 4:
        return value + rng.choice(NASTY_STRINGS[3:6])
    if choice == 5:
        return value.swapcase()
    return rng.choice(NASTY_STRINGS)


def _descend(rng: random.Random, data: Any) -> tuple[Any, Any]:
    """A node reached by walking down from the root (shallow nodes, the document's skeleton, as
    often as deep ones: a plan's root_module matters as much as any of its thousand values)."""
    container, key = None, None
    node = data
    while isinstance(node, dict | list) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        container, key = node, rng.choice(keys)
        node = node[key]
        if rng.random() < 0.3:
            break
    if container is None:
        return rng.choice(_nodes(data))
    return container, key


def mutate_data(rng: random.Random, data: Any) -> Any:
    data = copy.deepcopy(data)
    nodes = _nodes(data)
    if not nodes:
        return rng.choice([[], {}, None, "x", [data]])
    container, key = rng.choice(nodes) if rng.random() < 0.5 else _descend(rng, data)
    value = container[key]
    op = rng.randrange(16)
    if op == 0:  # drop
        del container[key]
    elif op == 1 and isinstance(container, list):  # duplicate an item
        container.insert(key, copy.deepcopy(value))
    elif op == 1 and isinstance(container, dict):  # duplicate with a key differing in case
        if isinstance(key, str) and key.swapcase() not in container:
            container[key.swapcase()] = copy.deepcopy(value)
            if isinstance(value, dict) and value:
                inner = rng.choice(list(value))
                container[key.swapcase()][inner] = rng.choice(NASTY_VALUES + NASTY_STRINGS)
    elif op == 2:  # type
        container[key] = rng.choice(NASTY_VALUES)
    elif op == 3:  # move another subtree here
        other_container, other_key = rng.choice(nodes)
        container[key] = copy.deepcopy(other_container[other_key])
    elif op == 4:  # wrap / unwrap
        container[key] = value[0] if isinstance(value, list) and value else [value]
    elif op == 5 and isinstance(container, dict):  # unknown or renamed key
        new = rng.choice([*NASTY_STRINGS, f"{key}x", str(key).upper(), 1, None, True])
        if new not in container:
            _rename(container, key, new)
    elif op == 6:  # deep nesting
        nested: Any = value
        for _ in range(rng.choice([50, 99, 101, 300])):
            nested = [nested]
        container[key] = nested
    elif op == 7:  # long list (of a small value: inputs stay the size of real ones, a few MB at most)
        item = value if len(json.dumps(value, default=str)) < 200 else rng.choice(NASTY_STRINGS)
        container[key] = [copy.deepcopy(item)] * rng.choice([100, 2000, 20000])
    elif op in (8, 9, 10) and isinstance(value, str):  # domain
        container[key] = _domain_string(rng, value, _strings(data))
    elif op == 11 and isinstance(value, bool):
        container[key] = not value
    elif op == 11 and isinstance(value, int):
        container[key] = rng.choice([-1, 0, 65535, 65536, 99, 100, 65000, 65001, 2**31, 2**64, value + 1])
    elif op == 12 and isinstance(container, dict) and isinstance(key, str):  # hostile name
        new = key + rng.choice(NASTY_STRINGS[3:5])
        if new not in container:
            _rename(container, key, new)
    elif op == 13 and isinstance(value, dict) and value:  # empty a mapping
        container[key] = {}
    elif op == 14 and isinstance(value, list):  # shuffle a list
        rng.shuffle(value)
    else:  # a string: a value from elsewhere in the document
        pool = _strings(data)
        container[key] = rng.choice(pool) if pool else None
    return data


YAML_SNIPPETS = ["&a ", "*a", "<<: *a\n", "? [a]\n: 1\n", "!!python/object/apply:os.system ['true']\n",
                 "!!binary aGVsbG8=", "---\n", "\t", "{", "}", "[", "]", ": ", "- ", "'", '"', "%YAML 1.1\n",
                 "!!set {a, b}", "!!omap [a: 1]", "!!timestamp 2001-12-14", "~", ".nan", "0x10", "1_000",
                 "a: &x [1, *x]\n"]
BOMB = ("z0: &z0 [x,x,x,x,x,x,x,x,x]\n" + "".join(f"z{i}: &z{i} [{','.join([f'*z{i - 1}'] * 9)}]\n"
                                                    for i in range(1, 9)))


def mutate_text(rng: random.Random, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    op = rng.randrange(10)
    i = rng.randrange(len(lines))
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif op == 2:
        return raw[:rng.randrange(len(raw) + 1)]
    elif op == 3:
        pos = rng.randrange(len(raw) + 1)
        return raw[:pos] + bytes([rng.randrange(256)]) + raw[pos + 1:]
    elif op == 4:
        pos = rng.randrange(len(raw) + 1)
        return raw[:pos] + rng.choice([b"\x00", b"\xff\xfe", b"\xc3", b"\xef\xbb\xbf", b"\x1b[2J", b"\r"]) + raw[pos:]
    elif op == 5:
        return b"\xef\xbb\xbf" + raw
    elif op == 6:
        pos = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + rng.choice(YAML_SNIPPETS).encode() + lines[i][pos:]
    elif op == 7:
        return BOMB.encode() + raw
    elif op == 8:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i] = b" " * rng.randrange(8) + lines[i]
    return b"\n".join(lines)


def serialize(data: Any, suffix: str) -> bytes:
    try:
        if suffix == ".json":
            return json.dumps(data, indent=1, allow_nan=True).encode("utf-8", "surrogatepass")
        try:
            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8", "surrogatepass")
        except yaml.YAMLError:
            return json.dumps(data).encode("utf-8", "surrogatepass")
    except RecursionError:  # mutations nested it deeper than the serializers go: nest the text instead
        return b"[" * 3000 + b"]" * 3000


def _parse(raw: bytes, suffix: str) -> Any:
    text = raw.decode("utf-8-sig")
    return json.loads(text) if suffix == ".json" else yaml.safe_load(text)


# --- running a command in a forked child -----------------------------------------------------


class _OverBudget(Exception):
    """Raised in the child by SIGPROF: the command used more CPU time than CPU_SECONDS."""


def _run_one(args: list[str]) -> dict[str, Any]:
    """Run one azroute command in this (forked) process; the last-resort handler records its traceback."""
    from azroute import cli  # noqa: PLC0415 - already imported by the worker

    caught: list[str] = []

    def record(error: BaseException) -> None:
        caught.append("".join(traceback.format_exception(error)))
        cli_original(error)

    cli_original = _ORIGINAL_HANDLER
    cli._internal_error = record  # type: ignore[assignment]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    code: Any = 0
    started = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli.main(args, prog_name="azroute")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except _OverBudget:
        code = "hang"
        caught.append("".join(traceback.format_stack()))
    except BaseException as error:
        code = 99
        caught.append("".join(traceback.format_exception(error)))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    out.flush()
    err.flush()
    texts = [s.buffer.getvalue().decode("utf-8", "replace") for s in (out, err)]  # type: ignore[attr-defined]
    return {"code": code, "stdout": texts[0], "stderr": texts[1], "traceback": "\n".join(caught),
            "cpu": round(time.process_time() - started, 3)}


_ORIGINAL_HANDLER: Callable[[BaseException], Any] = lambda error: None  # noqa: E731 - set in the worker


def _prof(_signum: int, _frame: Any) -> None:
    raise _OverBudget


def run_forked(commands: list[list[str]]) -> list[dict[str, Any]]:
    """Run `commands` in a forked child with CPU and memory limits; a dead child reports a hang."""
    fd, result_path = tempfile.mkstemp(prefix="azfuzz-", suffix=".jsonl")
    os.close(fd)
    pid = os.fork()
    if pid == 0:  # the child
        try:
            limit = _address_space() + MEMORY_BYTES
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            signal.signal(signal.SIGPROF, _prof)
            with open(result_path, "w", encoding="utf-8") as handle:
                for args in commands:
                    handle.write(json.dumps({"started": args}) + "\n")
                    handle.flush()
                    handle.write(json.dumps(_run_one(args)) + "\n")
                    handle.flush()
        finally:
            os._exit(0)
    deadline = time.monotonic() + WALL_SECONDS
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.002)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    results: list[dict[str, Any]] = []
    with open(result_path, encoding="utf-8") as handle:
        for line in handle:
            entry = json.loads(line)
            if "started" not in entry:
                results.append(entry)
    os.unlink(result_path)
    while len(results) < len(commands):  # killed, or died mid-command
        killed = status is None
        results.append({"code": "hang" if killed else "died", "stdout": "", "stderr": "",
                        "traceback": f"child {'killed after' if killed else 'died within'} {WALL_SECONDS} s "
                                     f"(status {status})", "cpu": None})
        status = status if killed else None
    return results


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def worker() -> None:
    """Read tasks (JSON lines) on stdin, answer results (JSON lines) on stdout."""
    global _ORIGINAL_HANDLER  # noqa: PLW0603 - the handler the child wraps
    import azroute  # noqa: PLC0415 - imported once, before forking
    from azroute import cli  # noqa: PLC0415

    # every module now (adapters load lazily): children fork from this code, not from the files, which may
    # change during a long run
    for module in pkgutil.walk_packages(azroute.__path__, "azroute."):
        with contextlib.suppress(ImportError):
            importlib.import_module(module.name)

    # (an azroute without the last-resort handler lets exceptions through: they are caught as such)
    _ORIGINAL_HANDLER = getattr(cli, "_internal_error", lambda error: None)
    out = sys.stdout
    signal.signal(signal.SIGTERM, lambda *_: os._exit(1))
    for line in sys.stdin:
        task = json.loads(line)
        results = run_forked(task["commands"])
        out.write(json.dumps({"id": task["id"], "results": results}) + "\n")
        out.flush()


# --- findings -------------------------------------------------------------------------------------


def _location(trace_text: str) -> str:
    """The innermost azroute frame of a traceback: file:line (the finding's identity)."""
    frames = [line.strip() for line in trace_text.splitlines() if line.strip().startswith("File ")]
    ours = [f for f in frames if "/azroute/" in f and "azfuzz" not in f] or frames
    if not ours:
        return "?"
    parts = ours[-1].split('"')
    line = ours[-1].split("line ")[-1].split(",")[0] if "line " in ours[-1] else "?"
    return f"{Path(parts[1]).name}:{line}" if len(parts) > 1 else ours[-1]


def _exception(trace_text: str) -> str:
    lines = [line for line in trace_text.strip().splitlines() if line and not line.startswith(" ")]
    return lines[-1].split(":")[0] if lines else "?"


def classify(result: dict[str, Any]) -> tuple[str, str] | None:
    """(category, signature) of a finding in one command's result, or None."""
    code, err, out = result["code"], result["stderr"], result["stdout"]
    if code == "hang":
        return "hang", _location(result["traceback"])
    if code == "died":
        return "died", "child died"
    if code in (70, 99) or "Traceback" in err:
        category = "memory" if "MemoryError" in result["traceback"] else "traceback"
        return category, f"{_exception(result['traceback'])} at {_location(result['traceback'])}"
    if code not in (0, 1, 2):
        return "exit", f"exit {code}"
    if code == 2 and not (err.strip().splitlines() or [""])[-1].startswith("error: "):
        return "exit", "exit 2 without an error line"
    if any(ord(c) < 32 and c not in "\n" for c in out + err):
        return "control", "raw control character in the output"
    return None


def _comparable(result: dict[str, Any]) -> tuple[Any, ...]:
    return result["code"], result["stdout"], result["stderr"]


@dataclass
class Finding:
    category: str
    signature: str
    seed: Path
    command: list[str]
    traceback: str
    text_level: bool
    data: Any
    raw: bytes
    suffix: str
    detail: str = ""


# --- the coordinator ------------------------------------------------------------------------------


class Pool:
    """Two workers with different hash seeds; every task runs in both (nondeterminism shows)."""

    def __init__(self) -> None:
        self.workers = []
        for hash_seed in ("1", "2"):
            env = {**os.environ, "PYTHONHASHSEED": hash_seed}
            self.workers.append(subprocess.Popen(
                [sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, env=env, cwd=REPO))
        self.next_id = 0

    def send(self, commands: list[list[str]]) -> None:
        self.next_id += 1
        task = json.dumps({"id": self.next_id, "commands": commands}) + "\n"
        for w in self.workers:
            assert w.stdin is not None
            w.stdin.write(task)
            w.stdin.flush()

    def receive(self) -> list[list[dict[str, Any]]]:
        answers = []
        for w in self.workers:
            assert w.stdout is not None
            answers.append(json.loads(w.stdout.readline())["results"])
        return answers

    def close(self) -> None:
        for w in self.workers:
            assert w.stdin is not None
            with contextlib.suppress(OSError):
                w.stdin.close()
            try:
                w.wait(10)
            except subprocess.TimeoutExpired:
                w.kill()


def _materialize(seed: Seed, raw: bytes, work: Path) -> str:
    """Write the mutated input where the commands expect it; the path to substitute for {input}."""
    if seed.folder is None:
        target = work / f"input{seed.path.suffix}"
        target.write_bytes(raw)
        return str(target)
    folder = work / "folder"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(seed.folder, folder)
    (folder / seed.path.name).write_bytes(raw)
    return str(folder)


def _commands(seed: Seed, target: str) -> list[list[str]]:
    return [[target if a == "{input}" else a for a in c] for c in seed.commands]


EXITS: Counter[str] = Counter()


def examine(pool: Pool, seed: Seed, raw: bytes, work: Path) -> list[tuple[str, str, list[str], str, str]]:
    """Findings (category, signature, command, traceback, detail) of one input."""
    commands = _commands(seed, _materialize(seed, raw, work))
    pool.send(commands)
    return analyse(commands, *pool.receive())


def analyse(commands: list[list[str]], first: list[dict[str, Any]],
            second: list[dict[str, Any]]) -> list[tuple[str, str, list[str], str, str]]:
    """Findings in the two workers' results for `commands`."""
    EXITS.update(str(r["code"]) for r in first)
    found = []
    for args, a, b in zip(commands, first, second, strict=True):
        finding = classify(a) or classify(b)
        if finding is not None:
            found.append((*finding, args, a["traceback"] or b["traceback"], a["stderr"][-500:]))
        elif _comparable(a) != _comparable(b):
            which = next(k for k in ("code", "stdout", "stderr") if a[k] != b[k])
            found.append(("nondeterminism", f"{args[0]} {which}", args, "", f"{a[which]!r:.300} != {b[which]!r:.300}"))
    return found


def minimize(pool: Pool, finding: Finding, work: Path, seed: Seed, budget: int = 400) -> Finding:
    """Remove parts of the input while the same finding (category and signature) persists."""
    # only the command that found it runs while minimizing
    name = finding.command[0] if finding.command else ""
    seed = dataclasses.replace(seed, commands=[c for c in seed.commands if c[0] == name][:1] or seed.commands)

    def same(raw: bytes) -> bool:
        return any((c, s) == (finding.category, finding.signature) for c, s, *_ in examine(pool, seed, raw, work))

    steps = 0
    if finding.text_level:  # text-level, but still parseable: minimize its structure if that keeps the finding
        with contextlib.suppress(ValueError, yaml.YAMLError, RecursionError):
            parsed = _parse(finding.raw, finding.suffix)
            steps += 1
            if isinstance(parsed, dict | list) and same(serialize(parsed, finding.suffix)):
                finding.data, finding.text_level = parsed, False
    if finding.text_level or not isinstance(finding.data, dict | list):
        lines = finding.raw.split(b"\n")
        chunk = max(len(lines) // 2, 1)
        while chunk >= 1 and steps < budget:
            i, changed = 0, False
            while i < len(lines) and steps < budget:
                candidate = lines[:i] + lines[i + chunk:]
                steps += 1
                if candidate and same(b"\n".join(candidate)):
                    lines, changed = candidate, True
                else:
                    i += chunk
            if not changed:
                chunk //= 2
        finding.raw = b"\n".join(lines)
        return finding
    data = finding.data
    for path in [(), *_paths(data)]:  # long lists first cut to their first item, in one step each
        node = _at(data, path) if steps < budget else None
        if isinstance(node, list) and len(node) > 4:
            candidate = copy.deepcopy(data)
            if path:
                _at(candidate, path[:-1])[path[-1]] = node[:1]
            else:
                candidate = node[:1]
            steps += 1
            if same(serialize(candidate, finding.suffix)):
                data = candidate
                break  # the paths changed; the per-node pass below continues the work
    position = 0
    paths = _paths(data)
    while position < len(paths) and steps < budget:
        candidate = copy.deepcopy(data)
        path = paths[position]
        del _at(candidate, path[:-1])[path[-1]]
        steps += 1
        if same(serialize(candidate, finding.suffix)):
            data, paths = candidate, _paths(candidate)  # the next node now sits at the same position
        else:
            position += 1
    finding.data, finding.raw = data, serialize(data, finding.suffix)
    return finding


def _paths(data: Any) -> list[tuple[Any, ...]]:
    """Paths to every node, shallow first (removing a big subtree first shrinks fastest)."""
    paths: list[tuple[Any, ...]] = []
    queue: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while queue and len(paths) < 2000:
        path, node = queue.pop(0)
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) \
            if isinstance(node, list) else []
        for key, value in reversed(items) if isinstance(node, list) else items:
            paths.append((*path, key))
            queue.append(((*path, key), value))
    return paths


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def save(finding: Finding, out: Path, number: int) -> Path:
    folder = out / f"{number:03d}-{finding.category}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    name = f"input{finding.suffix}" if finding.command else "input"
    (folder / name).write_bytes(finding.raw)
    command = " ".join(f"'{a}'" if " " in a else a for a in finding.command)
    (folder / "README.txt").write_text(
        f"{finding.category}: {finding.signature}\nseed: {finding.seed.relative_to(REPO)}\n"
        f"command (the input replaced by {name}): azroute {command}\n\n{finding.detail}\n\n{finding.traceback}\n",
        encoding="utf-8")
    return folder


def _mutated(rng: random.Random, seed: Seed, raw: bytes, data: Any) -> tuple[bytes, Any, bool]:
    """(bytes, data or None, text-level?) after 1-3 mutations of a seed."""
    original = (raw, data, False)
    text_level = False
    for _ in range(rng.choice([1, 1, 2, 3])):
        if data is not None and rng.random() < 0.7:
            data = mutate_data(rng, data)
            raw = serialize(data, seed.path.suffix)
        else:
            raw, text_level, data = mutate_text(rng, raw), True, None
        if len(raw) > MAX_INPUT_BYTES:  # the mutations snowballed: start again from the seed
            raw, data, text_level = original
    return raw, data, text_level


def fuzz(inputs: int, budget: float, seed_number: int, out: Path, verbose: bool, jobs: int = 1) -> int:
    rng = random.Random(seed_number)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="azfuzz-") as tmp:
        work = Path(tmp)
        seeds = collect_seeds(work)
        originals = {s.path: s.path.read_bytes() for s in seeds}
        parsed: dict[Path, Any] = {}
        for s in seeds:
            with contextlib.suppress(ValueError, yaml.YAMLError):
                parsed[s.path] = _parse(originals[s.path], s.path.suffix)
        # foreign dialects (exports, plans, service tags) have more shapes to get wrong than native files
        weights = [1 if s.path.suffix != ".json" and s.folder is None else 6 for s in seeds]
        pools = [Pool() for _ in range(jobs)]
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # the workers are closed on the way out
        findings: dict[tuple[str, str], Finding] = {}
        counts: Counter[str] = Counter()
        runs = done = 0
        try:
            while done < inputs and time.monotonic() - started < budget:
                batch = []
                for slot, pool in enumerate(pools[:inputs - done]):
                    number = done + slot
                    seed = seeds[number % len(seeds)] if number < len(seeds) else rng.choices(seeds, weights)[0]
                    raw, data, text_level = originals[seed.path], parsed.get(seed.path), False
                    if number >= len(seeds):  # every seed runs once unmutated first
                        raw, data, text_level = _mutated(rng, seed, raw, data)
                    folder = work / f"slot{slot}"
                    folder.mkdir(exist_ok=True)
                    commands = _commands(seed, _materialize(seed, raw, folder))
                    pool.send(commands)
                    batch.append((pool, seed, raw, data, text_level, commands))
                for pool, seed, raw, data, text_level, commands in batch:
                    result = analyse(commands, *pool.receive())
                    done += 1
                    runs += len(seed.commands) * 2
                    for category, signature, args, trace_text, detail in result:
                        counts[category] += 1
                        key = (category, signature)
                        if key not in findings:
                            rel = [a.replace(str(work), "WORK") for a in args]
                            findings[key] = Finding(category, signature, seed.path, rel, trace_text, text_level,
                                                    data, raw, seed.path.suffix, detail)
                            print(f"finding: {category}: {signature} (seed {seed.path.relative_to(REPO)}, "
                                  f"{' '.join(rel[:1])})", flush=True)
                    if verbose and done % 500 == 0:
                        print(f"{done} inputs, {runs} runs, {time.monotonic() - started:.0f} s", flush=True)
            for number, found in enumerate(findings.values(), 1):
                seed = next(s for s in seeds if s.path == found.seed)
                small = minimize(pools[0], found, work, seed)
                print(f"  reproducer: {save(small, out, number)}", flush=True)
        finally:
            for pool in pools:
                pool.close()
    elapsed = time.monotonic() - started
    summary = ", ".join(f"{counts[c]} {c}" for c in ("traceback", "memory", "hang", "nondeterminism", "exit",
                                                    "control", "died"))
    print(f"azfuzz: exit codes {dict(EXITS)}")
    print(f"azfuzz: {done} inputs from {len(seeds)} seeds, {runs} runs in {elapsed:.0f} s: {summary}; "
          f"{len(findings)} distinct finding{'s' if len(findings) != 1 else ''}")
    return 1 if findings else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=10**9, help="stop after this many inputs")
    parser.add_argument("--budget", type=float, default=float("inf"), help="stop after this many seconds")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--out", type=Path, default=REPO / ".fuzz" / "findings", help="where reproducers go")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--jobs", type=int, default=1, help="pairs of workers running inputs in parallel")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    if args.inputs == 10**9 and args.budget == float("inf"):
        parser.error("give --inputs N or --budget SECONDS")
    seed_number = args.seed if args.seed is not None else int(time.time())
    print(f"azfuzz: seed {seed_number}", flush=True)
    sys.exit(fuzz(args.inputs, args.budget, seed_number, args.out, args.verbose, max(args.jobs, 1)))


if __name__ == "__main__":
    main()
