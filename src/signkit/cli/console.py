"""Rich consoles shared by the command modules (stdout for results, stderr for errors), and the one
way every command prints a table: as a table where it fits the terminal, else one block per row."""

from pathlib import Path

from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def progress_bar(unit: str, *extra: ProgressColumn, transient: bool = False) -> Progress:
    """The bar every long job shows: what runs, the bar, done / all ``unit``, ``extra`` columns,
    time spent and time left."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                    *extra, TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                    transient=transient)


def print_table(table: Table, out: Console = console, markdown: Path | None = None) -> None:
    """``table`` as it is when it fits the terminal (80 columns, or piped, too) with its cells
    wrapped at spaces; otherwise each row as a block of ``column value`` lines, so that no cell is
    cut to "…".
    With ``markdown``, the table is also written there."""
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(table_markdown(table))
    # Measured without the terminal's limit (Rich's own measure is capped at the width). Where even
    # the narrowest layout (each column as wide as its longest word) does not fit, Rich would cut
    # cells; where it fits, Rich wraps them at spaces and cuts nothing.
    if Measurement.get(out, out.options.update(max_width=10_000), table).minimum <= out.width:
        out.print(table)
        return
    if table.title:
        out.print(table.title, style="bold")
    headers = [str(c.header) for c in table.columns]
    columns = [list(c.cells) for c in table.columns]
    for i in range(table.row_count):
        block = Table.grid(padding=(0, 2))
        block.add_column(style="bold", no_wrap=True)
        block.add_column()
        for header, cells in zip(headers, columns, strict=True):
            block.add_row(header, cells[i])
        out.print(block)
        if i < table.row_count - 1:
            out.print()
    if table.caption:
        out.print(table.caption, style="dim")


def _plain(markup: object) -> str:
    """Rich markup (``escape``d titles and cells) as the text it shows."""
    return Text.from_markup(str(markup)).plain


def table_markdown(table: Table) -> str:
    """``table`` as a Markdown table (title as a heading line above it)."""
    headers = [_plain(c.header) for c in table.columns]
    rows = zip(*[[_plain(cell) for cell in c.cells] for c in table.columns], strict=True)
    lines = [f"**{_plain(table.title)}**", ""] if table.title else []
    lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if table.caption:
        lines += ["", str(table.caption)]
    return "\n".join(lines) + "\n"


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """SIGTERM (a scheduler, ``kill``) stops a long job as cleanly as Ctrl-C: its outputs are kept."""
    import signal

    signal.signal(signal.SIGTERM, _raise_interrupt)
