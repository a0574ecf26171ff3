"""click in Chinese: its own texts, and a help layout that counts Chinese double-width.

The command line (``cli.py``) routes click's gettext calls through the table
:data:`CLICK_ZH`, so that "Show this message and exit", "No such option",
"Missing argument" and the rest read in Chinese while option names stay as
they are. Keys are click's message ids (click 8.1 to 8.5); an id not listed
stays English. :class:`HelpFormatter` lays the (Chinese) help out by display
width. Only the command line imports this module.
"""

from __future__ import annotations

import re
from typing import Iterable

import click
from wcwidth import wcswidth

__all__ = ["CLICK_ZH", "HelpFormatter", "display_width", "wrap"]

CLICK_ZH = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "default: {default}": "默认: {default}",
    "required": "必填",
    "(dynamic)": "(动态)",
    "env var: {var}": "环境变量: {var}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数: {param_name}",
    "Missing command.": "缺少命令。",
    "No such option: {name}": "没有选项 {name}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是否想写 {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(是否想写 {possibilities} 之一?)",
    "(Possible options: {possibilities})": "(可能的选项: {possibilities})",
    "Got unexpected extra argument ({args})": "多余的参数 ({args})",
    "Got unexpected extra arguments ({args})": "多余的参数 ({args})",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效: {message}",
    "Invalid value: {message}": "值无效: {message}",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "Value must be an iterable.": "值应为多个。",
    "Error: {message}": "错误: {message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看用法。",
    "Aborted!": "已中断",
}


# --- the help's layout --------------------------------------------------------------------
#
# click wraps help by counting characters; a Chinese character takes two
# terminal cells, so its lines came out twice too long. This formatter wraps
# by display width (wcwidth), breaking between Chinese characters or at spaces.

# Tokens: white space, a bracketed note such as "[默认: auto]", an ASCII word, one other character.
_TOKEN = re.compile(r"\s+|\[[^\]\n]{0,40}\]|[!-~]+|.", re.S)
# Punctuation that may not begin a line: it takes the character before it along.
_NO_LINE_START = set("。，,、;；:：)）」』】!！?？")


def display_width(text: str) -> int:
    """Terminal cells of ``text`` (colour codes excluded; Chinese characters count two)."""
    plain = click.unstyle(text)
    width = wcswidth(plain)
    return width if width >= 0 else len(plain)


def wrap(text: str, width: int) -> list[str]:
    """One paragraph as lines of at most ``width`` cells (a longer word is cut)."""
    lines: list[str] = []
    line: list[str] = []
    for token in _TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            if line:
                line.append(" ")
            continue
        while token:
            if display_width("".join(line) + token) <= width:
                line.append(token)
                token = ""
            elif "".join(line).strip():
                carried = [line.pop()] if token in _NO_LINE_START and len(line) > 1 and line[-1] != " " else []
                lines.append("".join(line).rstrip())
                line = carried
            else:  # longer than a whole line: cut it
                cut = max([i for i in range(1, len(token) + 1) if display_width(token[:i]) <= width] or [1])
                lines.append(token[:cut])
                token = token[cut:]
    if "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines


class HelpFormatter(click.HelpFormatter):
    """click's help layout, wrapped by display width."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        width = max(self.width - self.current_indent, 11)
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        for index, paragraph in enumerate(paragraphs):
            if index:
                self.write("\n")
            for line in wrap(paragraph, width):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [tuple(row) + ("",) * (2 - len(row)) for row in rows]
        first_col = min(max((display_width(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - 2 - self.current_indent, 10)) or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")
