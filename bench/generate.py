#!/usr/bin/env python3
"""Write a realistic random duban ledger of N items (the benchmark's input).

    python bench/generate.py 100000 --seed 1 --out /tmp/ledger-100k.json

The ledger is a province-wide roll-up: counties of a few hundred items each
(150–450), six units per county, items of all seven kinds in proportions like
the sample county's. Values are spread around every threshold of the default
rule pack at the reference date 2026-11-28 (progress gaps around 10 and 20
points, overdue milestones around 15 days, supervision and report ages around
30/60 days, visits around 90/180 days, investment around 0.6/0.8 of 序时进度,
factor problems around 30/60 days, enterprise problems around 15/30 working
days, indicators around their benchmarks and rank thirds, placeholders such as
待定 for some names; and Part 2's fields: baselines slipping around 90/180
days, replies around 30 days old, some incomplete, commendations, the county's
meetings around 90 days), so that every rule fires for a good share of the
items it applies to and just misses for another share.

Deterministic for a seed; ids are unique. The Part 2 fields draw from a second
random stream, so a seed's Part 1 fields are those of earlier versions. Every
form is streamed (a million items in about a minute of CPU for JSON):

    --out x.json    one JSON document
    --out x.yaml    YAML (.yml too), the same ledger
    --out x.jsonl   JSON Lines, one item per line, with ``ledger`` and ``units``
                    in the sibling x.county.json (``duban check x.county.json x.jsonl``)

Standard library only (PyYAML for the YAML output).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from random import Random
from typing import Any, Callable, Iterator, Optional, TextIO

AS_OF = date(2026, 11, 28)

# Kinds in roughly the sample county's proportions, with the id prefix of each.
KINDS = (
    ("project", "P", 0.34),
    ("enterprise", "E", 0.18),
    ("reform", "R", 0.10),
    ("excellence", "X", 0.08),
    ("party", "D", 0.08),
    ("task", "T", 0.16),
    ("indicator", "I", 0.06),
)
WORK_KINDS = ("project", "reform", "task", "party", "excellence")
LEVELS = (("county", 0.55), ("municipal", 0.20), ("provincial", 0.17), ("national", 0.08))

COUNTY_FIRST = "清青安永平长宁兴和华新东西南北龙凤云山江河金玉泰丰福德嘉宜临阳武文绵竹桃松柏梅溪湖"
COUNTY_SECOND = "溪川源阳安宁乐丰城江山水田平谷州远昌化德兴泉林岭坪沙浦口峰湾"
COUNTY_MIDDLE = "石桥花柳马鹿白红黑云竹梓"
UNIT_TYPES = (
    "发改局", "住建局", "工信局", "自然资源局", "商务局", "委改革办", "农业农村局", "交通运输局",
    "教育局", "卫健局", "财政局", "生态环境局", "文旅局", "水利局", "委组织部", "市场监管局",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红海波东晓春燕文斌宇振峰鹏辉立新"
PLACEHOLDERS = ("待定", "待明确", "未定", "暂无", "无", "未知", "TBD", "N/A", "na", "-", "—", "?", " ", "")

PROJECT_PLACES = ("城东", "城西", "城南", "城北", "河滨", "工业园区", "高新区", "北部新区", "临港片区", "老城区",
                  "经开区", "生态新城", "乡村振兴示范片", "物流枢纽区")
PROJECT_THINGS = ("污水处理厂提标改造", "主干道改扩建", "安置房建设", "冷链物流园", "分布式光伏电站", "中学扩建",
                  "人民医院综合楼", "水库除险加固", "智慧农业示范园", "标准厂房", "燃气管网改造", "停车场建设",
                  "文旅综合体", "职业教育园区", "垃圾焚烧发电", "防洪堤加固", "供水一体化", "数据中心")
ENTERPRISE_WORDS = ("新材料科技", "精密电子", "茶业集团", "食品", "机械制造", "生物医药", "纺织", "新能源",
                    "建材", "物流", "汽车零部件", "智能装备", "农产品加工", "化工")
REFORM_TOPICS = ("投资项目审批“一件事一次办”", "农村集体产权制度", "国有企业混合所有制", "医保支付方式",
                 "“放管服”", "工程建设项目审批制度", "县域医共体", "农村宅基地管理", "营商环境综合",
                 "财政预算绩效管理", "基层综合行政执法", "教育集团化办学")
EXCELLENCE_GOALS = ("全国文明城市", "省级卫生县城", "国家生态文明示范县", "省级营商环境示范县", "全国农产品质量安全县",
                    "省级园林县城", "全国双拥模范县", "省级平安县", "全国科普示范县")
PARTY_TOPICS = ("基层党组织标准化建设", "党员教育培训", "软弱涣散党组织整顿", "“两新”组织党建全覆盖",
                "党风廉政建设责任制落实", "机关党建“模范机关”创建", "村级集体经济壮大")
TASK_TOPICS = ("农村人居环境整治", "城乡生活垃圾分类", "河长制落实", "森林防火专项整治", "安全生产大排查",
               "城市管理提升", "稳就业专项行动", "高标准农田建设", "背街小巷改造", "学校食堂食品安全")
INDICATORS = ("地区生产总值", "规模以上工业增加值", "固定资产投资", "社会消费品零售总额", "一般公共预算收入",
              "城镇居民人均可支配收入", "农村居民人均可支配收入", "外贸进出口总额", "实际利用外资")
MILESTONE_NAMES = ("方案编制", "立项批复", "用地报批", "施工招标", "主体完工", "设备安装", "联动调试", "竣工验收",
                   "阶段评估", "总结验收")
SUPERVISORS = ("县督查室", "县委办", "县政府办", "县纪委监委", "县委巡察办")
FINDINGS = ("进度滞后", "安全文明施工需加强", "资金拨付偏慢", "台账资料不全", "推进有序", "责任落实不到位",
            "整改不彻底", "施工组织不足")
PROBLEM_TEXT = {
    "land": ("用地指标未落实", "征地拆迁未完成", "林地报批"),
    "funds": ("专项债资金未到位", "配套资金缺口", "融资审批"),
    "approval": ("环评批复", "施工许可办理", "规划调整审批"),
    "energy": ("能耗指标不足", "用电增容"),
    "labor": ("技术工人招聘困难", "施工人员不足"),
    "enterprise": ("出口通关协调", "厂区道路配套", "融资担保", "用工培训补贴兑现"),
    "other": ("周边群众诉求", "管线迁改协调"),
}
REPLY_CAUSES = ("征地拆迁滞后", "资金拨付偏慢", "设备到货延迟", "审批手续未完成", "施工组织不足", "雨季影响施工")
REPLY_MEASURES = ("成立专班倒排工期", "增加施工班组", "协调专项资金", "并联审批加快办理", "实行周调度月通报")
MEETING_TYPES = ("企业座谈会", "会商会", "调度会")
PROJECT_ISSUE_TYPES = (("land", 0.25), ("funds", 0.25), ("approval", 0.20), ("energy", 0.07), ("labor", 0.08),
                       ("other", 0.15))
ENTERPRISE_ISSUE_TYPES = (("enterprise", 0.50), ("other", 0.15), ("land", 0.10), ("funds", 0.10),
                          ("approval", 0.07), ("energy", 0.04), ("labor", 0.04))

# Dates as text, precomputed around the reference date: ISO[offset] for as_of + offset days.
_SPAN = 2000
_ISO = [(AS_OF + timedelta(days=d)).isoformat() for d in range(-_SPAN, _SPAN + 1)]


def day(offset: int) -> str:
    """The date ``offset`` days after the reference date, as YYYY-MM-DD."""
    return _ISO[offset + _SPAN]


def _cumulative(pairs: tuple) -> tuple[tuple, tuple]:
    total, out = 0.0, []
    for _, weight in pairs:
        total += weight
        out.append(total)
    return tuple(p[0] for p in pairs), tuple(w / total for w in out)


class Generator:
    """Draws items; every random choice goes through one ``Random(seed)``."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.r = r = self.rng.random
        # Part 2 fields (baselines, replies, commendations, meetings) draw from a stream of their
        # own, so that a seed's Part 1 fields stay those of earlier versions of this generator.
        self.rng2 = Random(seed * 1_000_003 + 17)

        def ri(low: int, high: int) -> int:  # randint without its argument checks: 3× faster
            return low + int(r() * (high - low + 1))

        self.ri = ri
        self._kinds = _cumulative(tuple((k, w) for k, _, w in KINDS))
        self._levels = _cumulative(LEVELS)
        self._project_issue = _cumulative(PROJECT_ISSUE_TYPES)
        self._enterprise_issue = _cumulative(ENTERPRISE_ISSUE_TYPES)
        self.prefix = {k: p for k, p, _ in KINDS}

    # -- small helpers

    def pick(self, seq: Any) -> Any:
        return seq[int(self.r() * len(seq))]

    def weighted(self, table: tuple[tuple, tuple]) -> Any:
        values, bounds = table
        x = self.r()
        for value, bound in zip(values, bounds):
            if x < bound:
                return value
        return values[-1]

    def mix(self, *ranges: tuple[float, int, int]) -> int:
        """An integer from one of several (probability, low, high) ranges."""
        x = self.r()
        acc = 0.0
        for p, low, high in ranges:
            acc += p
            if x < acc:
                return self.ri(low, high)
        _, low, high = ranges[-1]
        return self.ri(low, high)

    def mixf(self, *ranges: tuple[float, float, float]) -> float:
        """A float from one of several (probability, low, high) ranges."""
        x = self.r()
        acc = 0.0
        for p, low, high in ranges:
            acc += p
            if x < acc:
                return self.rng.uniform(low, high)
        _, low, high = ranges[-1]
        return self.rng.uniform(low, high)

    def person(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN) + (self.pick(GIVEN) if self.r() < 0.7 else "")

    def name_field(self, item: dict, key: str, missing: float, candidates: Optional[list[str]] = None) -> None:
        """A name that is present, or (with probability ``missing``) absent or a placeholder."""
        x = self.r()
        if x < missing * 0.35:
            return  # absent
        if x < missing:
            item[key] = self.pick(PLACEHOLDERS)
            return
        if key == "owner" and x > 0.999:
            item[key] = "王无忌"  # a real name containing 无: not a placeholder
            return
        item[key] = self.pick(candidates) if candidates else self.person()

    # -- the ledger

    def counties(self, n: int) -> list[tuple[str, list[str], list[str], int]]:
        """(name, unit names, contact leaders, item count) per county, summing to n."""
        pairs = [a + b for a in COUNTY_FIRST for b in COUNTY_SECOND if a != b]
        self.rng.shuffle(pairs)
        out = []
        total = 0
        index = 0
        while total < n:
            size = min(self.ri(150, 450), n - total)
            pair = pairs[index % len(pairs)]
            round_ = index // len(pairs)  # beyond the two-character names: a middle character
            middle = COUNTY_MIDDLE[(round_ - 1) % len(COUNTY_MIDDLE)] * (1 + (round_ - 1) // len(COUNTY_MIDDLE))
            name = (pair if round_ == 0 else pair[0] + middle + pair[1]) + "县"
            units = [name + u for u in self.rng.sample(UNIT_TYPES, 6)]
            leaders = [self.person() for _ in range(6)]
            out.append((name, units, leaders, size))
            total += size
            index += 1
        return out

    def items(self, counties: list) -> Iterator[dict]:
        number = 0
        for county, units, leaders, size in counties:
            for _ in range(size):
                number += 1
                yield self.item(number, county, units, leaders)

    def item(self, number: int, county: str, units: list[str], leaders: list[str]) -> dict:
        kind = self.weighted(self._kinds)
        item: dict[str, Any] = {"id": f"{self.prefix[kind]}-{number:07d}", "kind": kind, "title": ""}
        item["title"] = self.title(kind, county)
        if kind == "indicator":
            self.name_field(item, "owner", 0.05)
            if self.r() < 0.9:
                item["unit"] = self.pick(units)
            self.indicator(item)
            return item
        self.name_field(item, "owner", 0.06)
        if self.r() < 0.01:
            item["unit"] = county + "重点项目指挥部"  # a unit not in the county's list: accepted, noted
        else:
            self.name_field(item, "unit", 0.04, units)
        if kind in ("project", "enterprise"):
            self.name_field(item, "leader", 0.07, leaders)
        elif self.r() < 0.5:
            item["leader"] = self.pick(leaders)
        level = self.weighted(self._levels)
        if level != "county" or self.r() < 0.3:
            item["level"] = level
        if kind == "enterprise":
            self.enterprise(item)
        else:
            self.work(item, kind)
        return item

    def title(self, kind: str, county: str) -> str:
        if kind == "project":
            return county[:-1] + self.pick(PROJECT_PLACES) + self.pick(PROJECT_THINGS) + self.pick(("工程", "项目"))
        if kind == "enterprise":
            return county[:-1] + self.pick(ENTERPRISE_WORDS) + self.pick(("有限公司", "股份有限公司", "集团有限公司"))
        if kind == "reform":
            return self.pick(REFORM_TOPICS) + "改革"
        if kind == "excellence":
            return "创建" + self.pick(EXCELLENCE_GOALS)
        if kind == "party":
            return self.pick(PARTY_TOPICS)
        if kind == "task":
            return self.pick(TASK_TOPICS) + self.pick(("专项行动", "攻坚", "三年行动", "提升工程"))
        return self.pick(INDICATORS) + "增速"

    # -- work items: project, reform, task, party, excellence

    def work(self, item: dict, kind: str) -> None:
        r, ri = self.r, self.ri
        start: Optional[int] = None  # offsets from as_of
        due: Optional[int] = None
        not_started = kind == "project" and r() < 0.12
        if not_started:
            # SCH-02: days since a planned start around 30 and 90.
            start = -self.mix((0.25, 0, 27), (0.2, 28, 32), (0.2, 86, 94), (0.35, 95, 260))
            due = start + ri(180, 900)
        else:
            has_due = r() > (0.04 if kind != "excellence" else 0.15)
            has_start = r() > (0.05 if kind != "excellence" else 0.2)
            if has_due:
                # SCH-03: some 14% past due; LAG-01 needs due ≥ as_of.
                due = -ri(1, 150) if r() < 0.14 else ri(0, 700)
                if has_start:
                    start = due - ri(60, 900)
            elif has_start:
                start = -ri(-60, 400)
        if start is not None and start > -_SPAN + 5:
            item["start"] = day(start)
        elif start is not None:
            start = None
        if due is not None:
            item["due"] = day(due)

        # Completion: ~10% done by as_of (completed_on or progress 100), 2% completing after as_of.
        x = r()
        completed_on = None
        progress: Optional[float] = None
        if not not_started and x < 0.06:
            completed_on = -ri(1, 120)
            if start is not None:
                completed_on = max(completed_on, start + 1)
            completed_on = min(completed_on, 0)
            progress = 100
        elif not not_started and x < 0.10:
            progress = 100
        elif not not_started and x < 0.12:
            completed_on = ri(1, 40)  # a future event: ignored at as_of

        # Actual start.
        if not_started:
            if r() < 0.5:
                progress = 0
        elif start is not None and start <= 0 and r() < 0.85:
            item["started_on"] = day(start + ri(-5, 25))
        elif start is None and r() < 0.5:
            item["started_on"] = day(-ri(10, 300))
        if completed_on is not None:
            item["completed_on"] = day(completed_on)

        # Progress against time-proportional progress (LAG-01: gap around 10 and 20).
        if progress is None and r() > 0.05:
            if start is not None and due is not None and start < due:
                expected = 100 * min(max(-start / (due - start), 0.0), 1.0)
                gap = self.mixf((0.40, -15, 8), (0.15, 8, 12), (0.15, 18, 22), (0.30, 22, 50))
                value = min(max(expected - gap, 0.0), 99.0)
                progress = round(value) if r() < 0.6 else round(value, 1)
            else:
                progress = ri(0, 95)
        if progress is not None:
            item["progress"] = progress
            # SUP-02: report age around 30 and 60; some never reported, some dated after as_of.
            x = r()
            if x < 0.85:
                item["progress_reported_on"] = day(-self.mix((0.53, 0, 27), (0.14, 28, 33), (0.14, 57, 63),
                                                             (0.19, 64, 220)))
            elif x < 0.90:
                item["progress_reported_on"] = day(ri(1, 20))

        self.milestones(item, kind, start, due)
        if kind == "project":
            self.investment(item)
            if r() < 0.4:
                item["issues"] = [self.project_issue() for _ in range(self.mix((0.6, 1, 1), (0.3, 2, 2), (0.1, 3, 3)))]
        if r() > 0.08:
            item["supervisions"] = self.supervisions(item.get("unit"))
        if kind == "reform":
            for key, text in (("goal", "形成可复制可推广的经验"), ("path", "试点先行、分步推开"),
                              ("measures", "建立专班、清单管理、月度通报")):
                self.text_field(item, key, text, 0.08)
            if (completed_on is not None and completed_on <= 0) or progress == 100:
                self.text_field(item, "outcome", "出台县级实施办法", 0.5)
        elif kind == "excellence":
            self.text_field(item, "goal", "年内通过" + item["title"][2:] + "验收", 0.12)
        done = (completed_on is not None and completed_on <= 0) or progress == 100
        self.part2(item, kind, due, done)

    # -- Part 2: baselines (SCH-05), replies (LAG-03), commendations (EXC-03)

    def part2(self, item: dict, kind: str, due: Optional[int], done: bool) -> None:
        rng = self.rng2
        r = rng.random

        def mix(*ranges: tuple[float, int, int]) -> int:
            x, acc = r(), 0.0
            for p, low, high in ranges:
                acc += p
                if x < acc:
                    return rng.randint(low, high)
            return rng.randint(ranges[-1][1], ranges[-1][2])

        if kind != "excellence" and due is not None and r() < 0.3:
            # SCH-05: slips around 90 and 180 days; some equal or earlier (no slip).
            slip = mix((0.2, -60, 0), (0.25, 1, 85), (0.15, 86, 94), (0.15, 95, 175), (0.15, 176, 184),
                       (0.1, 185, 400))
            if -_SPAN < due - slip < _SPAN:
                item["baseline_due"] = day(due - slip)
        if r() < 0.35:
            # LAG-03: the latest reply with cause and measures around 30 days old; some incomplete or later.
            replies = []
            for _ in range(mix((0.7, 1, 1), (0.3, 2, 2))):
                reply: dict[str, Any] = {"date": day(-mix((0.4, 0, 27), (0.2, 28, 32), (0.35, 33, 150),
                                                          (0.05, -10, -1)))}
                if r() < 0.6:
                    reply["rule"] = self.pick_from(rng, ("LAG-01", "SCH-01", "SCH-03", "SUP-01"))
                reply["cause"] = self.pick_from(rng, REPLY_CAUSES) if r() > 0.06 else self.pick_from(rng, PLACEHOLDERS[:6])
                if r() > 0.06:
                    reply["measures"] = self.pick_from(rng, REPLY_MEASURES)
                if r() < 0.7:
                    reply["by"] = self.person_from(rng)
                replies.append(reply)
            item["responses"] = replies
        if kind == "excellence" and (done or r() < 0.2) and r() < 0.5:
            # EXC-03: commended, or commended only after as_of.
            item["recognized_on"] = day(-rng.randint(1, 120) if r() < 0.9 else rng.randint(1, 30))

    @staticmethod
    def pick_from(rng: Random, seq: Any) -> Any:
        return seq[int(rng.random() * len(seq))]

    def person_from(self, rng: Random) -> str:
        return self.pick_from(rng, SURNAMES) + self.pick_from(rng, GIVEN) + self.pick_from(rng, GIVEN)

    def text_field(self, item: dict, key: str, text: str, missing: float) -> None:
        x = self.r()
        if x < missing * 0.5:
            return
        item[key] = self.pick(PLACEHOLDERS[:6]) if x < missing else text

    def milestones(self, item: dict, kind: str, start: Optional[int], due: Optional[int]) -> None:
        r, ri = self.r, self.ri
        if r() < (0.08 if kind in ("project", "reform") else 0.3):
            return  # PLAN-02 (project, reform)
        low = start if start is not None else -ri(100, 400)
        high = due if due is not None else low + ri(200, 700)
        if high <= low:
            high = low + 60
        count = ri(1, 4)
        out = []
        for i in range(count):
            mdue = low + (high - low) * (i + 1) // (count + 1) + ri(-10, 10)
            milestone: dict[str, Any] = {"name": MILESTONE_NAMES[i % len(MILESTONE_NAMES)], "due": day(mdue)}
            if mdue < 0 and r() < 0.85:
                milestone["done_on"] = day(min(mdue + ri(-15, 20), 30))
            out.append(milestone)
        if r() < 0.25:
            # SCH-01: an open milestone overdue around 15 days (red from 15).
            overdue = self.mix((0.35, 1, 13), (0.3, 14, 16), (0.35, 17, 90))
            milestone = {"name": "节点攻坚", "due": day(-overdue)}
            if r() < 0.1:
                milestone["done_on"] = day(ri(1, 10))  # done after as_of: still open at as_of
            out.append(milestone)
        if r() < 0.15:
            # SCH-04: an open milestone due within the next 7 days, or just beyond.
            out.append({"name": "阶段节点", "due": day(ri(0, 12))})
        item["milestones"] = out

    def investment(self, item: dict) -> None:
        r = self.r
        if r() < 0.06:
            return
        planned = 0 if r() < 0.03 else self.ri(30, 6000) * 10
        investment: dict[str, Any] = {"planned": planned}
        if r() > 0.03:
            # LAG-02: ratio to (planned × 332/365) around 0.6 and 0.8.
            ratio = self.mixf((0.3, 0.2, 0.58), (0.15, 0.58, 0.62), (0.15, 0.78, 0.82), (0.4, 0.82, 1.3))
            investment["completed"] = round(planned * 332 / 365 * ratio, 1)
        item["investment"] = investment

    def project_issue(self) -> dict:
        r, ri = self.r, self.ri
        kind = self.weighted(self._project_issue)
        # FAC-01: open around 30 and 60 days; some raised after as_of.
        raised = -self.mix((0.33, 0, 27), (0.12, 28, 32), (0.12, 57, 63), (0.38, 64, 300), (0.05, -20, -1))
        issue: dict[str, Any] = {"type": kind, "description": self.pick(PROBLEM_TEXT[kind]), "raised_on": day(raised)}
        if r() < 0.4:
            issue["deadline"] = day(raised + ri(10, 120))
        if r() < 0.4:
            issue["resolved_on"] = day(raised + ri(1, 60))
        if r() < 0.1:
            issue["complex"] = True
        return issue

    def supervisions(self, unit: Optional[str]) -> list[dict]:
        r, ri = self.r, self.ri
        # SUP-01: the last supervision around 30 and 60 days ago.
        last = -self.mix((0.42, 0, 28), (0.13, 29, 33), (0.13, 57, 63), (0.32, 64, 250))
        dates = [last]
        for _ in range(self.mix((0.5, 0, 0), (0.35, 1, 1), (0.15, 2, 2))):
            dates.append(dates[-1] - ri(20, 120))
        if r() < 0.03:
            dates.append(ri(1, 15))  # dated after as_of: does not count
        out = []
        for when in reversed(dates):
            record: dict[str, Any] = {"date": day(when), "by": self.pick(SUPERVISORS) if r() < 0.9 else (unit or "县督查室")}
            x = r()
            if x < 0.3:
                record["finding"] = self.pick(FINDINGS)
                record["rectify_by"] = day(when + ri(7, 45))  # SUP-03
                if r() < 0.55:
                    record["rectified_on"] = day(when + ri(1, 50))
            elif x < 0.6:
                record["finding"] = self.pick(FINDINGS)
            out.append(record)
        return out

    # -- enterprises and indicators

    def enterprise(self, item: dict) -> None:
        r, ri = self.r, self.ri
        x = r()
        if x > 0.05:
            # ENT-01: the last visit around 90 and 180 days ago; some only after as_of.
            if x < 0.07:
                visits = [ri(1, 30)]
            else:
                last = -self.mix((0.42, 0, 85), (0.13, 86, 95), (0.13, 175, 186), (0.32, 187, 500))
                visits = [last]
                for _ in range(self.mix((0.4, 0, 0), (0.4, 1, 1), (0.2, 2, 3))):
                    visits.append(visits[-1] - ri(30, 150))
            item["visits"] = [{"date": day(v), "leader": item.get("leader") or "县领导"} for v in reversed(visits)]
        if r() < 0.5:
            issues = []
            for _ in range(self.mix((0.6, 1, 1), (0.3, 2, 2), (0.1, 3, 3))):
                kind = self.weighted(self._enterprise_issue)
                # ENT-02: about 15 working days (≈ 21 calendar days), 30 when complex (≈ 43).
                raised = -self.mix((0.3, 0, 18), (0.2, 18, 26), (0.15, 38, 48), (0.35, 48, 200))
                issue: dict[str, Any] = {"type": kind, "description": self.pick(PROBLEM_TEXT[kind]),
                                         "raised_on": day(raised)}
                if r() < 0.3:
                    issue["deadline"] = day(raised + ri(5, 40))
                if r() < 0.45:
                    issue["resolved_on"] = day(raised + ri(1, 40))
                if r() < 0.25:
                    issue["complex"] = True
                issues.append(issue)
            item["issues"] = issues
        if r() < 0.15:
            item["supervisions"] = self.supervisions(item.get("unit"))

    def indicator(self, item: dict) -> None:
        r, rng = self.r, self.rng
        base = rng.uniform(-1, 9)
        benchmarks = {}
        for key in ("national", "provincial", "municipal"):
            if r() < 0.85:
                benchmarks[key] = round(base + rng.gauss(0, 1), 1)
        if benchmarks or r() < 0.5:
            item["benchmarks"] = benchmarks
        if r() > 0.03:
            # ECO-01: below all, some, or none of the benchmarks.
            offset = self.mixf((0.3, -2.5, -0.5), (0.2, -0.3, 0.3), (0.5, 0, 2))
            item["value"] = round(base + offset, 1)
        if r() > 0.05:
            # ECO-02: bottom third when 3 × rank > 2 × rank_of.
            rank_of = self.ri(8, 16)
            item["rank"] = self.ri(1, rank_of)
            item["rank_of"] = rank_of


# --- output ---------------------------------------------------------------------


def header(counties: list, n: int) -> tuple[dict, list[dict]]:
    county = counties[0][0] if len(counties) == 1 else f"基准测试省({len(counties)}个县)"
    info: dict[str, Any] = {"county": county, "as_of": AS_OF.isoformat()}
    gen_heads = Random(len(counties) * 7919 + n)  # heads do not disturb the item stream
    units = [
        {"name": unit, "head": SURNAMES[gen_heads.randrange(len(SURNAMES))] + GIVEN[gen_heads.randrange(len(GIVEN))]}
        for _, names, _, _ in counties for unit in names
    ]
    # ENT-03: the county's meetings with enterprises (the last one around 90 days ago), or none recorded.
    if gen_heads.random() < 0.85:
        last = gen_heads.choice((20, 60, 89, 90, 91, 120, 200))
        info["meetings"] = [
            {"date": day(-(last + 100 * k)), "type": MEETING_TYPES[(n + k) % 2], "title": f"第{k + 1}次企业座谈会"}
            for k in range(gen_heads.randint(0, 3))
        ] + [{"date": day(-gen_heads.randint(1, 30)), "type": "调度会", "title": "重大项目调度会"}]
    return info, units


def write_json(out: TextIO, n: int, seed: int) -> int:
    """One JSON document, streamed: ``ledger`` and ``units``, then one item per line."""
    gen = Generator(seed)
    counties = gen.counties(n)
    info, units = header(counties, n)
    out.write('{"ledger":' + _dumps(info) + ',\n"units":[\n')
    out.write(",\n".join(_dumps(u) for u in units))
    out.write('\n],\n"items":[\n')
    count = 0
    for batch in _batches(gen.items(counties)):
        out.write((",\n" if count else "") + ",\n".join(_dumps(item) for item in batch))
        count += len(batch)
    out.write("\n]}\n")
    return count


def write_jsonl(out: TextIO, header_out: TextIO, n: int, seed: int) -> int:
    """JSON Lines: one item per line in ``out``; ``ledger`` and ``units`` in ``header_out``."""
    gen = Generator(seed)
    counties = gen.counties(n)
    info, units = header(counties, n)
    # "items": [] keeps the header a ledger of its own (the items are in the .jsonl file).
    header_out.write('{"ledger":' + _dumps(info) + ',\n"units":[\n' + ",\n".join(_dumps(u) for u in units)
                     + '\n],\n"items":[]}\n')
    count = 0
    for batch in _batches(gen.items(counties)):
        out.write("".join(_dumps(item) + "\n" for item in batch))
        count += len(batch)
    return count


def write_yaml(out: TextIO, n: int, seed: int) -> int:
    """YAML, streamed a batch of items at a time (block style, records in flow style)."""
    import yaml

    gen = Generator(seed)
    counties = gen.counties(n)
    info, units = header(counties, n)
    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:  # equal dates are one object: no &anchors
            return True

    options = dict(Dumper=Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
    out.write("# duban benchmark ledger: bench/generate.py %d --seed %d\n" % (n, seed))
    yaml.dump(_bare_dates({"ledger": info, "units": units}), out, **options)
    out.write("items:\n")
    count = 0
    for batch in _batches(gen.items(counties)):
        yaml.dump(_bare_dates(batch), out, **options)
        count += len(batch)
    return count


_DATES = {text: AS_OF + timedelta(days=offset - _SPAN) for offset, text in enumerate(_ISO)}


def _bare_dates(data: Any) -> Any:
    """Dates as ``date`` objects, so that YAML writes them bare (2026-11-28), as a person would."""
    if isinstance(data, dict):
        return {k: _bare_dates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_bare_dates(v) for v in data]
    if isinstance(data, str):
        return _DATES.get(data, data)
    return data


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _batches(items: Iterator[dict], size: int = 5000) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def header_path(jsonl_path: str) -> str:
    """The file beside ``x.jsonl`` that holds its ``ledger`` and ``units``: ``x.county.json``."""
    return jsonl_path[: -len(".jsonl")] + ".county.json"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", default="-",
                        help="output path: .json, .yaml/.yml, or .jsonl (items; ledger and units go to the sibling "
                             "X.county.json); default: stdout (JSON)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be positive")
    started = time.perf_counter()
    suffix = os.path.splitext(args.out.lower())[1]
    writer: Callable[[TextIO, int, int], int] = write_yaml if suffix in (".yaml", ".yml") else write_json
    if args.out == "-":
        count = writer(sys.stdout, args.n, args.seed)
    elif suffix == ".jsonl":
        with open(args.out, "w", encoding="utf-8", buffering=1 << 20) as out, \
                open(header_path(args.out), "w", encoding="utf-8") as header_out:
            count = write_jsonl(out, header_out, args.n, args.seed)
    else:
        with open(args.out, "w", encoding="utf-8", buffering=1 << 20) as out:
            count = writer(out, args.n, args.seed)
    elapsed = time.perf_counter() - started
    print(f"generated {count} items (seed {args.seed}) in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
