"""Rich consoles shared by the command modules (stdout for results, stderr for errors), and the one
way every command prints a table: as a table where it fits the terminal, else one block per row."""

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def print_table(table: Table, out: Console = console) -> None:
    """``table`` as it is when its natural width fits the terminal (80 columns, or piped, too);
    otherwise each row as a block of ``column: value`` lines, so that no cell is cut to "…"."""
    # Measured without the terminal's limit: Rich's own measure is capped at the width.
    if Measurement.get(out, out.options.update(max_width=10_000), table).maximum <= out.width:
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


def table_markdown(table: Table) -> str:
    """``table`` as a Markdown table (title as a heading line above it)."""
    headers = [str(c.header) for c in table.columns]
    rows = zip(*[[str(cell) for cell in c.cells] for c in table.columns], strict=True)
    lines = [f"**{table.title}**", ""] if table.title else []
    lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if table.caption:
        lines += ["", str(table.caption)]
    return "\n".join(lines) + "\n"
