"""Render name resolutions: the chain of steps then the answer, as text for people or JSON for tools."""

from __future__ import annotations

from typing import Any

from azroute.forwarding.dns import Resolution, Status, Step
from azroute.model.net import format_ip
from azroute.render.text import visible_lines


def _step_line(index: int, step: Step) -> str:
    said = f"{step.name} {step.record} {step.value}".rstrip()
    return f"  {index:>2}. {step.server}: {said}  [{step.source}]"


def answer_line(result: Resolution) -> str:
    """'Answer: 10.13.77.6 (private, from private zone ...)', 'Answer: NXDOMAIN (...)' or 'Answer: none (...)'."""
    if result.status is Status.ANSWER:
        kind = "private" if result.private else "public"
        return f"Answer: {' '.join(map(format_ip, result.addresses))} ({kind}, from {result.reason})"
    if result.status is Status.NXDOMAIN:
        return f"Answer: NXDOMAIN ({result.reason})"
    return f"Answer: none ({result.reason})"


def resolution_text(result: Resolution) -> str:
    """The query, its steps, the answer and notes, one line each."""
    lines = [f"Resolve {result.name} from {result.vantage.describe()}", ""]
    lines += [_step_line(i, step) for i, step in enumerate(result.steps, 1)]
    lines += ["", answer_line(result)]
    lines += [f"Note: {note}" for note in result.notes]
    return visible_lines(lines)


def resolution_json(result: Resolution) -> dict[str, Any]:
    """The same as a document: `steps` in order, then `status`, `addresses`, `private`, `reason`."""
    return {
        "name": result.name,
        "from": result.vantage.describe(),
        "steps": [{"server": s.server, "name": s.name, "type": str(s.record), "value": s.value,
                   "source": s.source} for s in result.steps],
        "status": str(result.status),
        "addresses": [format_ip(ip) for ip in result.addresses],
        "private": result.private,
        "reason": result.reason,
        "notes": list(result.notes),
    }
