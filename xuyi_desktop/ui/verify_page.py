"""The 核验 page: check a printed document's QR code offline.

A USB QR scanner is a keyboard: it types the code into the input line and presses Enter. A pasted code works
the same, and 打开PDF… checks every code in a PDF printed by this system (the codes are in its text layer).
The verdict shows in large text, green 有效 or red 无效; the line clears and keeps the focus for the next
scan. All checking is services.printing (verify_payload / verify_pdf); the page holds no rules.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.office_keys import VerifyResult

VALID_COLOUR = "#1b7f3b"
INVALID_COLOUR = "#c0392b"
_DIR_KEY = "verify/last_dir"


def describe(result: VerifyResult) -> tuple[str, list[str]]:
    """(headline, detail lines) of one verdict, for a clerk to compare with the paper."""
    from xuyi_desktop.services.printing import describe_facts

    if not result.valid:
        lines = [f"码中编号：{result.serial}（签发单位 {result.issuer}）"] if result.serial else []
        return f"{result.status_label}：{result.reason_zh}", lines + _signer_lines(result)
    issuer = f"{result.issuer_name}（{result.issuer}）" if result.issuer_name else result.issuer
    day = result.issued_on.isoformat() if result.issued_on else ""
    lines = [f"编号：{result.serial}", f"由 {issuer} 于 {day} 签发", *_signer_lines(result)]
    lines += [f"{label}：{value}" for label, value in describe_facts(result.doc_type, result.facts)]
    lines += [f"注意：{note}" for note in result.notes]
    return f"有效：{result.doc_type_label}", lines


def _signer_lines(result: VerifyResult) -> list[str]:
    """Which PC's key signed it, and which administrator approved that key."""
    lines = []
    if result.installation:
        lines.append(f"签发电脑：{result.installation}（密钥指纹 {result.key_fingerprint}）")
    if result.approved_at:
        lines.append(f"密钥批准：管理员 {result.approved_by_name or result.approved_by}（{result.approved_by}），"
                     f"{result.approved_at.astimezone():%Y-%m-%d}")
    return lines


class VerifyPage(QWidget):
    message = Signal(str)  # a short notice for the status bar
    verified = Signal(bool)  # after every verdict shown: True only if everything checked is valid

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.last_valid: bool | None = None
        self._build()

    # --- layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        hint = QLabel("用扫码枪扫描打印件上的二维码（或粘贴核验码）后按回车；也可打开本系统打印的 PDF 文件逐个核验。")
        hint.setWordWrap(True)
        outer.addWidget(hint)

        row = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setObjectName("verifyInput")
        self.input.setPlaceholderText("在此扫码或粘贴核验码（XY1|…），按回车核验")
        self.input.setClearButtonEnabled(True)
        self.input.setMinimumWidth(200)
        self.input.returnPressed.connect(self._on_enter)
        row.addWidget(self.input, 1)
        self.open_button = QPushButton("打开PDF…")
        self.open_button.clicked.connect(self._choose_pdf)
        row.addWidget(self.open_button)
        outer.addLayout(row)

        self.verdict = QLabel("等待扫码")
        self.verdict.setObjectName("verifyVerdict")
        self.verdict.setWordWrap(True)
        font = QFont(self.verdict.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 2.0)
        font.setBold(True)
        self.verdict.setFont(font)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.verdict)

        self.details = QLabel("")
        self.details.setObjectName("verifyDetails")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = QFont(self.details.font())
        big.setPointSizeF(max(big.pointSizeF(), 9.0) * 1.3)
        self.details.setFont(big)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.details)
        outer.addWidget(scroll, 1)
        self.setFocusProxy(self.input)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.input.setFocus()

    # --- actions --------------------------------------------------------------------------------------
    def _on_enter(self) -> None:
        text = self.input.text().strip()
        self.input.clear()
        self.input.setFocus()
        if text:
            self.verify_text(text)

    def verify_text(self, text: str) -> bool:
        from xuyi_desktop.services.printing import verify_payload

        try:
            result = verify_payload(self._ctx, text)
        except DomainError as exc:
            return self._show(False, f"无效：{getattr(exc, 'message_zh', str(exc))}", [])
        headline, lines = describe(result)
        return self._show(result.valid, headline, lines)

    def _choose_pdf(self) -> None:
        start = str(self._settings.value(_DIR_KEY, "")) if self._settings is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "打开要核验的 PDF 文件", start, "PDF 文件 (*.pdf)")
        if path:
            if self._settings is not None:
                self._settings.setValue(_DIR_KEY, str(Path(path).parent))
            self.verify_pdf_file(Path(path))
        self.input.setFocus()

    def verify_pdf_file(self, path: Path) -> bool:
        from xuyi_desktop.services.printing import verify_pdf

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            found = verify_pdf(self._ctx, path)
        except DomainError as exc:
            return self._show(False, f"无效：{getattr(exc, 'message_zh', str(exc))}", [])
        finally:
            QApplication.restoreOverrideCursor()
        if not found:
            return self._show(False, "无效：文件中没有找到核验码", [f"{path.name} 不是本系统打印的 PDF，或打印于不带文本核验码的版本之前。"])
        if len(found) == 1:
            headline, described = describe(found[0][1])
            return self._show(found[0][1].valid, headline, [f"文件：{path.name}", *described])
        good = sum(r.valid for _, r in found)
        ok = good == len(found)
        headline = f"{'有效' if ok else '无效'}：{path.name} 中 {len(found)} 个核验码，{good} 个有效"
        lines: list[str] = []
        for i, (_, result) in enumerate(found, 1):
            head, rest = describe(result)
            lines.append(f"[{i}] {head}")
            lines += [f"      {line}" for line in rest]
        return self._show(ok, headline, lines)

    def _show(self, valid: bool, headline: str, lines: list[str]) -> bool:
        colour = VALID_COLOUR if valid else INVALID_COLOUR
        self.verdict.setStyleSheet(f"color: {colour};")
        self.verdict.setText(headline)
        self.details.setText("\n".join(lines))
        self.last_valid = valid
        self.message.emit(headline)
        self.verified.emit(valid)
        return valid
