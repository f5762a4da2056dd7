"""Builds the platform fixtures beside this file (run once; the .xlsx files are committed):

- jiangsu_sgs_xk_template.xlsx / jiangsu_sgs_cf_template.xlsx: the 江苏 public credit information system's
  双公示 upload templates as a clerk downloads them — one header row of field codes, typed here by hand from
  SOURCES.md §3.2/§3.3 (NOT from our profile files, so a test comparing the two can fail);
- jiangsu_sgs_feedback.xlsx: the platform's feedback on a batch (rows refused with reasons, one accepted),
  Chinese headers; jiangsu_sgs_feedback_codes.xlsx: the same with code headers.

    python tests/support/platform/make_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

XK = ["XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ", "XK_XDR_SYDW", "XK_XDR_SHZZ",
      "XK_FRDB", "XK_FR_ZJLX", "XK_FR_SFZH", "XK_XDR_ZJLX", "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKZS", "XK_XKBH",
      "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_LYDW", "XK_LYDWDM", "BZ"]
CF = ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ", "CF_XDR_SYDW", "CF_XDR_SHZZ",
      "CF_FRDB", "CF_FR_ZJLX", "CF_FR_SFZH", "CF_XDR_ZJLX", "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB",
      "CF_NR", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY",
      "CF_SJLYDM", "BZ"]


def template(path: Path, sheet: str, headers: list[str]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    wb.save(path)


def feedback(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "反馈结果"
    ws.append(["江苏省公共信用信息系统 数据上报反馈"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)


# The rows name records of services.sgs_demo.penalty_raw(1) and (2) decided in 2025 (as the tests enter them,
# tests/integration/test_sgs_profiles.py): one refused, one accepted, and one naming no record of ours.
FEEDBACK_ROWS = [
    ["盱眙第1运输有限公司", "盱交罚〔2025〕1号", "失败", "CF_NR_FK 罚款金额与处罚内容不一致"],
    ["盱眙第2运输有限公司", "盱交罚〔2025〕2号", "成功", ""],
    ["某某公司", "盱交罚〔2020〕999号", "失败", "行政相对人代码_1 校验位错误"],
]

if __name__ == "__main__":
    template(HERE / "jiangsu_sgs_xk_template.xlsx", "行政许可", XK)
    template(HERE / "jiangsu_sgs_cf_template.xlsx", "行政处罚", CF)
    feedback(HERE / "jiangsu_sgs_feedback.xlsx", ["行政相对人名称", "决定文书号", "处理结果", "失败原因"], FEEDBACK_ROWS)
    feedback(HERE / "jiangsu_sgs_feedback_codes.xlsx", ["CF_XDR_MC", "CF_WSH", "处理结果", "失败原因"], FEEDBACK_ROWS)
