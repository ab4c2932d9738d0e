"""Tables that fit the terminal: a normal table when it fits, one record per row when it doesn't.

At 80 columns an 8-column findings table would squeeze every column to a few characters and fold
ids and severities mid-word (``critica``/``l``). ``FitTable`` measures itself against the width it is
given at render time: if the table fits with ids, severities and other one-word columns on one line
and text columns no narrower than their longest word (and ``_TEXT_MIN_WIDTH``), it renders as a
table whose text columns wrap at spaces; otherwise each row becomes a record, a header line with
the row's id then ``  column: value`` lines wrapped at spaces only, so an id (``f-…``, ``ap-…``,
``sg-…``, ``arn:…``) is always whole and copyable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table as RichTable
from rich.text import Text

# Values that name something a user may copy into the next command: never cut, never wrapped.
_ID_VALUE = re.compile(r"^(arn:\S+|[a-z]{1,12}-[0-9a-zA-Z][0-9a-zA-Z-]*)$")
_ID_HEADER = re.compile(r"(^|[\s_])(id|arn)$", re.IGNORECASE)
_NO_WRAP_HEADERS = {"severity", "status"}
_RECORD_INDENT = "  "
_TEXT_MIN_WIDTH = 12


def _is_id_header(header: str) -> bool:
    return _ID_HEADER.search(header.strip()) is not None


def _id_column(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> int | None:
    """The column that identifies a row: one headed ``id``/``… id``/``arn``, else the first
    column whose every non-empty value looks like an id."""
    for i, col in enumerate(columns):
        if _is_id_header(col):
            return i
    for i in range(len(columns)):
        values = [r[i] for r in rows if r[i]]
        if values and all(_ID_VALUE.match(v) for v in values):
            return i
    return None


def _wrap_words(text: str, width: int) -> list[str]:
    """Greedy wrap at whitespace only; a word longer than ``width`` gets lines of its own. Only a
    word longer than the whole line is split, at ``width``: rich would otherwise crop it, and a
    cropped id loses characters where a split one can still be copied."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            while cell_len(word) > width:
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:width])
                word = word[width:]
            if not word:
                continue
            if not current:
                current = word
            elif cell_len(current) + 1 + cell_len(word) <= width:
                current = f"{current} {word}"
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


class FitTable:
    """A rich renderable: a table when it fits the width, else one record per row."""

    def __init__(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        title: str = "",
        numeric: Iterable[int] = (),
    ) -> None:
        self.title = title
        self.columns = [str(c) for c in columns]
        n = len(self.columns)
        self.rows = [
            [("" if v is None else str(v)) for v in list(row)[:n]] + [""] * max(0, n - len(row))
            for row in rows
        ]
        self.numeric = set(numeric)
        self.id_column = _id_column(self.columns, self.rows)

    def _is_whole(self, i: int) -> bool:
        """Columns kept on one line, never cut: ids, severities, and any column of single tokens."""
        col = self.columns[i]
        if i == self.id_column or _is_id_header(col) or col.strip().lower() in _NO_WRAP_HEADERS:
            return True
        return all(len(r[i].split()) <= 1 for r in self.rows)

    def _text_min_width(self, i: int) -> int:
        """A wrapping column gets at least its longest word and, if it has that much, a readable
        ``_TEXT_MIN_WIDTH`` cells, so it wraps at spaces only."""
        words = [w for r in self.rows for w in r[i].split()] + self.columns[i].split()
        longest = max((cell_len(w) for w in words), default=0)
        natural = max((cell_len(line) for r in self.rows for line in r[i].splitlines()), default=0)
        return max(longest, min(natural, _TEXT_MIN_WIDTH))

    def _natural_width(self, i: int) -> int:
        cells = [self.columns[i], *(r[i] for r in self.rows)]
        return max((cell_len(line) for cell in cells for line in cell.splitlines()), default=0)

    def _min_width(self, i: int) -> int:
        return self._natural_width(i) if self._is_whole(i) else self._text_min_width(i)

    def table(self, widths: Sequence[int] | None = None) -> RichTable:
        """The table; ``widths`` (content cells per column) are fixed when given, else each column
        is as narrow as it may be (whole columns on one line, text columns at their minimum)."""
        out = RichTable(title=self.title or None, show_lines=False)
        for i, col in enumerate(self.columns):
            whole = self._is_whole(i)
            out.add_column(
                col,
                justify="right" if i in self.numeric else "left",
                no_wrap=whole,
                # "ignore": an id is never cut or ellipsized (rich skips justify with it, so a
                # right-aligned numeric column folds; its width is its natural width anyway)
                overflow="ignore" if whole and i not in self.numeric else "fold",
                width=self._min_width(i) if widths is None else widths[i],
            )
        for row in self.rows:
            out.add_row(*[Text(v) for v in row])  # Text, not str: a value is never read as markup
        return out

    def required_width(self, console: Console, options: ConsoleOptions) -> int:
        """The narrowest the table can be with whole columns on one line and text columns at their
        minimum: any narrower and rich would cut an id or a word."""
        wide = options.update(width=1_000_000, max_width=1_000_000)
        return Measurement.get(console, wide, self.table()).maximum

    def fits(self, console: Console, options: ConsoleOptions) -> bool:
        return self.required_width(console, options) <= options.max_width

    def fitted_table(self, console: Console, options: ConsoleOptions) -> RichTable:
        """The table with the room left after the minimum shared among text columns, up to each
        one's natural width, so rich never has to shrink a column below what it needs."""
        widths = [self._min_width(i) for i in range(len(self.columns))]
        spare = options.max_width - self.required_width(console, options)
        wants = [0 if self._is_whole(i) else self._natural_width(i) - widths[i] for i in range(len(widths))]
        while spare > 0 and any(w > 0 for w in wants):
            i = max(range(len(wants)), key=lambda k: wants[k])
            widths[i] += 1
            wants[i] -= 1
            spare -= 1
        return self.table(widths)

    def records(self, width: int) -> list[Text]:
        lines: list[Text] = []
        if self.title:
            lines.append(Text(self.title, style="bold"))
        key = self.id_column if self.id_column is not None else 0
        for n, row in enumerate(self.rows):
            if n or self.title:
                lines.append(Text(""))
            lines.append(Text(row[key] if self.columns else "", style="bold"))
            for i, (col, value) in enumerate(zip(self.columns, row, strict=True)):
                if i == key or not value.strip():
                    continue
                lines.extend(self._field(col, value, width))
        return lines

    def _field(self, col: str, value: str, width: int) -> list[Text]:
        """``  col: value`` wrapped at spaces; continuation lines are indented under the key. A value
        whose first word does not fit beside the key starts on the next line instead."""
        label = f"{_RECORD_INDENT}{col}: "
        rest_indent = _RECORD_INDENT * 2
        first = _wrap_words(value, max(width - cell_len(label), 1))
        head = first[0] if first and cell_len(first[0]) <= width - cell_len(label) else ""
        tail = value.split(maxsplit=len(head.split()))[len(head.split()) :] if head else [value]
        out = [Text(label, style="dim").append(head)]
        for text in tail:
            for part in _wrap_words(text, max(width - cell_len(rest_indent), 1)):
                out.append(Text(rest_indent).append(part))
        for line in out:
            line.no_wrap = True
            line.overflow = "ignore"
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.fits(console, options):
            yield self.fitted_table(console, options)
            return
        yield from self.records(options.max_width)
