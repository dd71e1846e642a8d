"""Text-safe rendering of untrusted strings: one helper every text and Markdown renderer uses.

Names, reasons and notes come from input files (a Terraform plan of a pull request, an export of an
estate nobody fully knows). A name holding a newline could forge a line of CI output (a GitHub
Actions `::error::` annotation), an ESC could drive the terminal (ANSI/OSC sequences). `visible`
writes every control character as a visible escape (`\\n`, `\\x1b`), so one field stays one field.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: C0 controls, DEL, C1 controls, the Unicode line/paragraph separators and bidi controls that
#: reorder or break a line on a terminal or in a browser, lone surrogates (JSON may hold them; no
#: encoder writes them) and the non-characters XML refuses
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character written as an escape; plain text is returned unchanged."""
    return _CONTROL.sub(_escape, text)


def visible_lines(lines: list[str]) -> str:
    """Lines built from fields, each made visible, joined by newlines, with a final newline."""
    return "".join(visible(line) + "\n" for line in lines)
