"""Reading a CSV order export for the store health check: the file's text (UTF-8 or GB18030,
comma, semicolon or tab separated), the seller's column mapping, and the figures counted from it.
Every refusal says what is wrong with the file and what to do."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import filetype
from django.utils.translation import gettext as _

from coalition.errors import ActionRefused
from coalition.rules.thresholds import Figures

MAX_CSV_BYTES = 5 * 1024 * 1024


TRUE_FLAGS = {"1", "y", "yes", "true", "x", "✓", "✔", "是", "有", "对"}


DEFAULT_FULFILLED_VALUES = "shipped, delivered, fulfilled, completed, 已发货, 已签收, 已完成"


DEFAULT_REFUND_WORDS = (
    "unfulfillable, out of stock, cannot ship, can't ship, unable to fulfil, 无法发货, 缺货"
)


ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class ColumnMapping:
    """Which of the seller's columns hold what. Only the order ID is required; a column left
    out gives an unknown figure, not a zero."""

    order_id: str
    status: str = ""
    fulfilled_values: tuple[str, ...] = ()
    refund: str = ""
    refund_words: tuple[str, ...] = ()
    chargeback: str = ""
    late: str = ""

    def columns(self) -> dict[str, str]:
        """Mapping field -> the seller's column name, for the columns that are mapped."""
        pairs = {
            "order_id": self.order_id,
            "status": self.status,
            "refund": self.refund,
            "chargeback": self.chargeback,
            "late": self.late,
        }
        return {k: v for k, v in pairs.items() if v.strip()}


def split_values(text: str) -> tuple[str, ...]:
    """ "shipped, delivered" -> ("shipped", "delivered"), compared case-insensitively."""
    return tuple(v.strip().casefold() for v in text.replace("\uff0c", ",").split(",") if v.strip())


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def read_upload(uploaded: Any) -> bytes:
    """An uploaded export's bytes, refusing an oversized one before reading it."""
    if (getattr(uploaded, "size", 0) or 0) > MAX_CSV_BYTES:
        raise ActionRefused(
            _("The file is larger than 5 MB. Export a shorter period."), field="file"
        )
    return uploaded.read()


def decode_export(data: bytes) -> str:
    """The file's text, or a refusal that says what is wrong with the file and what to do."""
    if not data.strip():
        raise ActionRefused(_("The file is empty."), field="file")
    if len(data) > MAX_CSV_BYTES:
        raise ActionRefused(
            _("The file is larger than 5 MB. Export a shorter period."), field="file"
        )
    kind = filetype.guess(data)
    if kind is not None:
        raise ActionRefused(
            _(
                "This is a %(kind)s file, not a CSV file. In your platform's order export, choose CSV, or save the "
                "spreadsheet as “CSV (comma delimited)”."
            )
            % {"kind": kind.extension.upper()},
            field="file",
        )
    if b"\x00" in data:
        raise ActionRefused(
            _("This is not a plain-text CSV file. Save it as CSV in UTF-8 and upload it again."),
            field="file",
        )
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ActionRefused(
        _(
            "We could not read the text of this file. Save it as CSV in UTF-8 or GB18030 (GBK) encoding."
        ),
        field="file",
    )


def read_export(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a CSV export (comma, semicolon or tab separated)."""
    text = decode_export(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text), dialect)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise ActionRefused(
            _("This is not a valid CSV file: %(error)s.") % {"error": exc}, field="file"
        ) from exc
    if not rows or len(rows[0]) < 2:
        raise ActionRefused(
            _(
                "This does not look like a CSV order export: we found no columns separated by commas, semicolons "
                "or tabs."
            ),
            field="file",
        )
    header, body = rows[0], rows[1:]
    if not body:
        raise ActionRefused(_("The file has column names but no orders in it."), field="file")
    return header, body


def figures_from_export(data: bytes, mapping: ColumnMapping) -> Figures:
    """Count orders (distinct order IDs: an order on several rows counts once) and, for each
    mapped column, the orders it flags."""
    header, rows = read_export(data)
    index = _column_index(header, mapping)
    kept = [row for row in rows if _cell(row, index["order_id"])]
    if not kept:
        raise ActionRefused(
            _("No row has an order ID in the column “%(column)s”.") % {"column": mapping.order_id},
            field="order_id",
        )
    return _count_orders(kept, index, mapping)


def _column_index(header: list[str], mapping: ColumnMapping) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(_norm(name), i)
    index = {}
    for key, column in mapping.columns().items():
        if _norm(column) not in positions:
            raise ActionRefused(
                _("Your file has no column “%(column)s”. Its columns are: %(columns)s.")
                % {"column": column, "columns": ", ".join(h.strip() for h in header if h.strip())},
                field=key,
            )
        index[key] = positions[_norm(column)]
    return index


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def _matches(key: str, value: str, mapping: ColumnMapping) -> bool:
    value = value.casefold()
    if not value:
        return False
    if key == "status":
        return value in mapping.fulfilled_values
    if value in TRUE_FLAGS:
        return True
    # A refund column may hold a reason ("Refunded: item out of stock") rather than a flag.
    return key == "refund" and any(word in value for word in mapping.refund_words)


# --- guessing the columns, and checking a whole file at once -----------------------------------

# Column names as common marketplace order exports write them (Amazon, Wish, eBay, AliExpress,
# Shopee, Temu, TikTok Shop), in English and Chinese, compared after normalising case and spaces.
HEADER_GUESSES: dict[str, tuple[str, ...]] = {
    "order_id": (
        "order id",
        "order-id",
        "order_id",
        "amazon-order-id",
        "order number",
        "order no",
        "order no.",
        "sales record number",
        "po number",
        "订单号",
        "订单编号",
        "订单id",
        "订单 id",
        "平台订单号",
        "子订单号",
    ),
    "status": (
        "status",
        "order status",
        "order-status",
        "order state",
        "state",
        "fulfilment status",
        "fulfillment status",
        "shipping status",
        "订单状态",
        "状态",
        "发货状态",
        "物流状态",
    ),
    "refund": (
        "refund reason",
        "refund",
        "refunded",
        "refund status",
        "return / refund status",
        "return/refund status",
        "cancel reason",
        "cancellation reason",
        "退款原因",
        "退款",
        "退款状态",
        "取消原因",
        "退货/退款状态",
    ),
    "chargeback": (
        "chargeback",
        "chargebacks",
        "dispute",
        "charge back",
        "拒付",
        "争议",
        "拒付状态",
    ),
    "late": (
        "late",
        "shipped late",
        "late shipment",
        "late shipping",
        "is late",
        "延迟发货",
        "延迟",
        "发货超时",
        "逾期发货",
    ),
}
MAPPED_FIELDS = tuple(HEADER_GUESSES)
PREVIEW_ROWS = 5
MAX_LISTED_PROBLEMS = 50


def guess_mapping(header: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """For each field, the file's own column that most likely holds it ("" when none does).
    A column remembered from the seller's last import is used only if this file has it, so an
    export with other column names never inherits a mapping that cannot work."""
    present = {_norm(h): h.strip() for h in header if h.strip()}
    taken: set[str] = set()
    guess: dict[str, str] = {}
    for field in MAPPED_FIELDS:
        wanted = [(remembered or {}).get(field, ""), *HEADER_GUESSES[field]]
        found = next(
            (
                present[_norm(w)]
                for w in wanted
                if w and _norm(w) in present and present[_norm(w)] not in taken
            ),
            "",
        )
        guess[field] = found
        if found:
            taken.add(found)
    return guess


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str


@dataclass(frozen=True)
class ExportCheck:
    """A whole file checked against a mapping: the figures from its good rows, every problem
    with its row number, and the first rows for a preview."""

    header: list[str]
    preview: list[list[str]]
    figures: Figures | None
    problems: list[RowProblem]
    skipped_rows: int

    @property
    def more_problems(self) -> int:
        return max(0, len(self.problems) - MAX_LISTED_PROBLEMS)

    @property
    def listed_problems(self) -> list[RowProblem]:
        return self.problems[:MAX_LISTED_PROBLEMS]


def check_export(data: bytes, mapping: ColumnMapping) -> ExportCheck:
    """Read the whole file once and report everything at once. A file that cannot be read at all
    is refused (ActionRefused); a row that cannot count (no order ID, fewer cells than the
    mapped columns need) is listed with its row number and left out of the figures."""
    header, rows = read_export(data)
    index = _column_index(header, mapping)
    problems: list[RowProblem] = []
    kept: list[list[str]] = []
    needed = max(index.values()) + 1
    for number, row in enumerate(rows, start=2):
        if len(row) < needed:
            problems.append(
                RowProblem(
                    number,
                    _("has %(found)s cells; the columns you chose need %(needed)s.")
                    % {"found": len(row), "needed": needed},
                )
            )
        elif not _cell(row, index["order_id"]):
            problems.append(RowProblem(number, _("has no order ID.")))
        else:
            kept.append(row)
    figures = _count_orders(kept, index, mapping) if kept else None
    return ExportCheck(
        header=[h.strip() for h in header],
        preview=[r for r in rows[:PREVIEW_ROWS]],
        figures=figures,
        problems=problems,
        skipped_rows=len(rows) - len(kept),
    )


def _count_orders(rows: list[list[str]], index: dict[str, int], mapping: ColumnMapping) -> Figures:
    orders: dict[str, dict[str, bool]] = {}
    for row in rows:
        flags = orders.setdefault(
            _cell(row, index["order_id"]),
            {"status": False, "refund": False, "chargeback": False, "late": False},
        )
        for key in ("status", "refund", "chargeback", "late"):
            if key in index and _matches(key, _cell(row, index[key]), mapping):
                flags[key] = True

    def count(key: str) -> int | None:
        return sum(1 for f in orders.values() if f[key]) if key in index else None

    return Figures(
        orders=len(orders),
        fulfilled_orders=count("status"),
        unfulfillable_refunds=count("refund"),
        chargebacks=count("chargeback"),
        late_shipments=count("late"),
    )
