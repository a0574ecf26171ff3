"""The worked example of facts/mapping-example/: a county office's own project workbook, not duban's template.

A title row and a unit line above the headers, 序号 and 备注 columns, the office's own header words
(项目代码, 牵头单位, 项目责任人, 包抓县级领导 …), dates typed as text (2026年3月1日), progress as 62%,
a lead unit merged down two rows, a phase column of the office's own, a notes sheet. The mapping
beside it (映射.yaml) tells duban how to read it. Regenerate with

    python tests/example_workbook.py facts/mapping-example/清溪县重点项目推进台账.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HEADERS = ["序号", "项目代码", "项目名称", "建设内容", "牵头单位", "项目责任人", "包抓县级领导", "项目级别", "计划开工时间",
           "计划竣工时间", "年度计划投资(万元)", "1-11月完成投资(万元)", "当前阶段", "形象进度", "更新日期", "备注"]
PROJECTS = [
    [1, "QX2026-01", "县城污水处理厂提标改造工程", "新增深度处理单元", "县住建局", "何文斌", "李建国", "省重点",
     "2026年3月1日", "2026年12月31日", 12000, 10600, "在建", "88%", "2026年11月20日", None],
    [2, "QX2026-02", "城北片区老旧小区改造(三期)", "改造住宅32栋", None, "罗家明", "赵永明", "县重点",
     "2026年8月10日", "2027年12月31日", 5000, 0, "前期", "0%", "2026年11月18日", "居民意见征集中"],
    [3, "QX2026-03", "清溪经济开发区标准厂房(二期)", "新建厂房8栋", "县工信局", "许志军", "黄立新", "省重点",
     "2026年2月1日", "2027年3月31日", 18000, 15200, "在建", "64%", "2026年11月21日", None],
    [4, "QX2026-04", "县人民医院新院区建设项目", "门诊医技楼、住院楼", "县发改局", "待定", "张红梅", "省重点",
     "2026年2月15日", "2028年6月30日", 25000, 21000, "在建", "26%", "2026年11月18日", "法人调整"],
    [5, "QX2026-05", "清溪河滨水绿道", "绿道12公里", "县自然资源局", "吴国平", "王志强", "市重点",
     "2026年1月10日", "2026年10月31日", 3000, 3000, "竣工", "100%", "2026年10月31日", None],
]
NODES = [
    ["序号", "项目代码", "节点", "时限", "完成", "备注"],
    [1, "QX2026-01", "设备招标采购", "2026年5月31日", "2026年5月26日", None],
    [2, "QX2026-01", "联动调试及试运行", "2026年12月20日", None, None],
    [3, "QX2026-02", "施工招标完成", "2027年1月31日", None, None],
    [4, "QX2026-03", "5号至8号厂房主体封顶", "2026年11月8日", None, "延误"],
    [5, "QX2026-05", "全线贯通", "2026年10月20日", "2026年10月18日", None],
]
CHECKS = [
    ["项目代码", "督查时间", "督查发现问题", "整改期限", "整改完成"],
    ["QX2026-01", "2026年11月12日", "进度符合序时要求", None, None],
    ["QX2026-02", "2026年11月6日", "项目尚未开工", "2026年11月20日", None],
    ["QX2026-03", "2026年11月16日", "封顶节点延误", None, None],
]


def build(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目库"
    ws.append(["清溪县2026年重点项目推进情况台账(截至11月28日)"])
    ws.append(["填报单位:县发改局            金额单位:万元"])
    ws.append(HEADERS)
    for row in PROJECTS:
        ws.append(row)
    ws.merge_cells("A1:P1")
    ws.merge_cells("A2:P2")
    ws.merge_cells("E4:E5")  # the lead unit, written once for two projects
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJKLMNOP", (5, 11, 30, 18, 12, 10, 12, 9, 15, 15, 12, 14, 9, 9, 15, 14)):
        ws.column_dimensions[column].width = width
    nodes = wb.create_sheet("节点计划")
    for row in NODES:
        nodes.append(row)
    checks = wb.create_sheet("督查情况")
    for row in CHECKS:
        checks.append(row)
    notes = wb.create_sheet("填表说明")
    notes.append(["本表由各牵头单位每月25日前更新,报县发改局汇总。"])
    wb.properties.creator = "清溪县发改局"
    wb.save(path)
    return path


if __name__ == "__main__":
    build(Path(sys.argv[1]))
