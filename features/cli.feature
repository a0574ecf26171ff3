# language: zh-CN
功能: 命令行
  讲话原文:
  「同时,要定期开展督查考核,对工作进展情况进行跟踪问效,确保各项工作有序推进。」

  县督查室每周或每月在命令行运行 duban,检查台账、列出预警和优先级。
  场景中的台账自动写入临时文件 台账.yaml,作为 check、rank、explain、validate 的台账参数。
  退出码: 0 完成;1 存在 --fail-on 所指等级或更高等级的预警(默认 never,不以预警决定退出码);
  2 输入或用法有误,错误输出逐行写明文件、位置和原因,不出现 Traceback。
  规则文件有错时,什么都不检查。

  背景:
    假如 基准日为 2026-11-28
    而且 未列出的字段均取合规的默认值

  场景: 检查台账,列出预警和汇总,默认退出码为 0
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
      | P-2  | 2026-10-09 | 2027-01-17 | 60       |
    当 在命令行运行 "duban check"
    那么 退出码为 0
    而且 标准输出包含 "LAG-01"
    而且 标准输出包含 "「项目P-1」形象进度30%,序时应达50%,落后20个百分点"
    而且 标准输出包含 "预警 1 条(红 1,黄 0,蓝 0)"

  场景大纲: 存在 --fail-on 所指等级或更高等级的预警时退出码为 1
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度   |
      | P-1  | 2026-10-09 | 2027-01-17 | <形象进度> |
    而且 事项有以下节点:
      | 编号 | 节点     | 计划完成   | 实际完成 |
      | P-1  | 主体完工 | 2026-12-01 |          |
    当 在命令行运行 "duban check <选项>"
    那么 退出码为 <退出码>

    例子: 最高等级为红色(落后 20 个百分点)
      | 形象进度 | 选项             | 退出码 |
      | 30       | --fail-on red    | 1      |
      | 30       | --fail-on blue   | 1      |
      | 30       | --fail-on never  | 0      |
      | 30       |                  | 0      |

    例子: 最高等级为黄色(落后 15 个百分点)
      | 形象进度 | 选项             | 退出码 |
      | 35       | --fail-on red    | 0      |
      | 35       | --fail-on yellow | 1      |

    例子: 只有蓝色提示
      | 形象进度 | 选项             | 退出码 |
      | 60       | --fail-on yellow | 0      |
      | 60       | --fail-on blue   | 1      |

  场景: 以 JSON 输出一份完整的报告
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-2  | 2026-10-09 | 2027-01-17 | 60       |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
    当 在命令行运行 "duban check --format json"
    那么 退出码为 0
    而且 输出是 JSON 且 "schema_version" 为 1
    而且 JSON 中 "as_of" 为 "2026-11-28"
    而且 JSON 中 "rules.source" 为 "builtin"
    而且 JSON 中 "summary.items" 为 2
    而且 JSON 中 "summary.findings.red" 为 1
    而且 JSON 中 "summary.lights.green" 为 1
    而且 JSON 中 "findings[0].subject" 为 "P-1"
    而且 JSON 中 "findings[0].rule" 为 "LAG-01"
    而且 JSON 中 "findings[0].severity" 为 "red"
    而且 JSON 中 "findings[0].message" 为 "「项目P-1」形象进度30%,序时应达50%,落后20个百分点"
    而且 JSON 中 "findings[0].clause" 为 "对于进展缓慢的项目,要深入分析原因,采取针对性措施加快进度"
    而且 JSON 中 "findings[0].evidence.progress_gap" 为 20
    而且 JSON 中 "findings[0].points" 为 50
    而且 JSON 中 "items" 的编号依次为 "P-1、P-2"
    而且 JSON 中 "items[0].score" 为 50
    而且 JSON 中 "items[0].tier" 为 "high"
    而且 JSON 中 "items[0].rank" 为 1
    而且 JSON 中 "items[1].light" 为 "green"

  场景: --as-of 指定另一个基准日
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-1  | 2026-10-09 | 2027-01-17 | 60       |
    当 在命令行运行 "duban check --as-of 2027-01-18"
    那么 退出码为 0
    而且 标准输出包含 "基准日 2027-01-18"
    而且 标准输出包含 "「项目P-1」计划2027-01-17完成,已逾期1天仍未完成"

  场景: --set 临时调整阈值,黄色红色随之变化
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
    当 在命令行运行 "duban check --set lag_red_points=25 --format json --fail-on red"
    那么 退出码为 0
    而且 输出是 JSON 且 "findings[0].rule" 为 "LAG-01"
    而且 JSON 中 "findings[0].severity" 为 "yellow"

  场景: --set 未知参数时退出码为 2,一行错误,没有 Traceback
    假如 台账中有以下事项:
      | 编号 |
      | P-1  |
    当 在命令行运行 "duban check --set lag_red_pionts=25"
    那么 退出码为 2
    而且 错误输出包含 "lag_red_pionts"
    而且 错误输出包含 "未知的参数"
    而且 错误输出只有 1 行
    而且 错误输出不包含 "Traceback"
    而且 标准输出为空

  场景: 按优先级排序并只列出前几项
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-2  | 2026-10-09 | 2027-01-17 | 35       |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
      | P-3  | 2026-10-09 | 2027-01-17 | 60       |
    当 在命令行运行 "duban rank --top 2"
    那么 退出码为 0
    而且 标准输出包含 "P-1"
    而且 标准输出包含 "P-2"
    而且 标准输出不包含 "P-3"

  场景: 解释一个事项: 每条适用规则读到的值、参数名和反事实
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
    当 在命令行运行 "duban explain P-1"
    那么 退出码为 0
    而且 标准输出包含 "LAG-01"
    而且 标准输出包含 "progress_gap 20 ≥ lag_yellow_points 10"
    而且 标准输出包含 "消除: progress_gap 需低于 10(现为 20);台账: 形象进度达到 41% 以上(现为 30%)"
    而且 标准输出包含 "降为黄色: progress_gap 需低于 20(现为 20);台账: 形象进度达到 31% 以上(现为 30%)"
    而且 标准输出包含 "SCH-03"

  场景大纲: 规则文件有错时报告文件、规则和位置,什么都不检查
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
    而且 规则目录 "我的规则" 中有文件 "bad.yaml":
      """
      rules:
        - id: X-01
          title: 测试规则
          clause: 确保项目按计划推进
          applies_to: [project]
          when: <条件>
          severity: yellow
          message: "「{title}」<消息>"
          remedy: 责任单位须说明情况
      """
    当 在命令行运行 "duban check --rules 我的规则 --fail-on red"
    那么 退出码为 2
    而且 错误输出包含 "bad.yaml"
    而且 错误输出包含 "X-01"
    而且 错误输出包含 "<错误>"
    而且 错误输出不包含 "Traceback"
    而且 标准输出为空

    例子:
      | 条件                                                   | 消息       | 错误                |
      | {field: progress_gap, op: gte2, value: 10}             | 进度落后   | 未知的运算符 'gte2' |
      | {field: progres_gap, op: gte, value: 10}               | 进度落后   | progres_gap         |
      | {field: progress_gap, op: gte, value: {param: no_such}} | 进度落后   | 未知的参数 'no_such' |
      | {field: title, op: gt, value: 10}                      | 进度落后   | text                |
      | {field: progress_gap, op: gte, value: 10}              | 落后{gapp} | gapp                |

  场景: 永远到达不了的预警等级是规则文件的错误
    假如 台账中有以下事项:
      | 编号 |
      | P-1  |
    而且 规则目录 "我的规则" 中有文件 "bad.yaml":
      """
      rules:
        - id: X-02
          title: 测试规则
          clause: 确保项目按计划推进
          applies_to: [project]
          when: {field: progress_gap, op: gte, value: 10}
          levels:
            - {severity: yellow}
            - {severity: red, when: {field: progress_gap, op: gte, value: 20}}
          message: "「{title}」进度落后"
          remedy: 责任单位须说明情况
      """
    当 在命令行运行 "duban validate --rules 我的规则"
    那么 退出码为 2
    而且 错误输出包含 "bad.yaml: rule X-02.levels[1]"
    而且 错误输出包含 "永远不会到达"

  场景: 同一条规则编号定义两次是规则文件的错误
    假如 台账中有以下事项:
      | 编号 |
      | P-1  |
    而且 规则目录 "我的规则" 中有文件 "extra.yaml":
      """
      rules:
        - id: LAG-01
          title: 重复的规则
          clause: 确保项目按计划推进
          applies_to: [project]
          when: {field: progress_gap, op: gte, value: 10}
          severity: yellow
          message: "「{title}」进度落后"
          remedy: 责任单位须说明情况
      """
    当 在命令行运行 "duban check --rules builtin --rules 我的规则"
    那么 退出码为 2
    而且 错误输出包含 "extra.yaml"
    而且 错误输出包含 "LAG-01"
    而且 标准输出为空

  场景: 自己的规则包和内置规则包一起使用
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
    而且 规则目录 "我的规则" 中有文件 "county.yaml":
      """
      rules:
        - id: CTY-01
          title: 项目进度过半仍不足三成
          clause: 对于进展缓慢的项目,要深入分析原因,采取针对性措施加快进度
          applies_to: [project]
          when: {field: progress, op: lte, value: 30}
          severity: blue
          message: "「{title}」形象进度仅{progress}%"
          remedy: 责任单位须说明情况
      """
    当 在命令行运行 "duban check --rules builtin --rules 我的规则 --format json"
    那么 退出码为 0
    而且 输出是 JSON 且 "findings[0].rule" 为 "LAG-01"
    而且 JSON 中 "findings[1].rule" 为 "CTY-01"
    而且 JSON 中 "findings[1].message" 为 "「项目P-1」形象进度仅30%"

  场景: 台账有错时退出码为 2,指明文件、事项和字段
    假如 台账中有以下事项:
      | 编号 | 形象进度 |
      | P-1  | 150      |
    当 在命令行运行 "duban check"
    那么 退出码为 2
    而且 错误输出包含 "台账.yaml: items[0] (P-1).progress: 应在 0 到 100 之间,实际为 150"
    而且 错误输出只有 1 行
    而且 标准输出为空

  场景: JSON Lines 台账每行一个事项,台账信息和单位来自同一次运行的另一个文件
    假如 台账中有以下事项:
      | 编号 | 计划开工   | 计划完工   | 形象进度 |
      | P-2  | 2026-10-09 | 2027-01-17 | 60       |
      | P-1  | 2026-10-09 | 2027-01-17 | 30       |
    而且 台账的事项逐行写入 "事项.jsonl",台账信息和单位写入 "县.yaml"
    当 在命令行运行 "duban check 县.yaml 事项.jsonl --format json"
    那么 退出码为 0
    而且 输出是 JSON 且 "summary.items" 为 2
    而且 JSON 中 "findings[0].subject" 为 "P-1"
    而且 JSON 中 "findings[0].rule" 为 "LAG-01"
    而且 JSON 中 "items" 的编号依次为 "P-1、P-2"

  场景: JSON Lines 台账有错时退出码为 2,每处错误一行,指明文件、行号、事项和字段
    假如 有文件 "事项.jsonl":
      """
      {"id": "P-1", "kind": "project", "title": "甲", "progress": 150}

      {"id": "P-3", "kind": "project", "title": "丙", "due": "2026-02-30"}
      {"id": "P-4", "kind": "project", "title": "丁",
      {"id": "P-1", "kind": "project", "title": "重复"}
      """
    当 在命令行运行 "duban check 事项.jsonl"
    那么 退出码为 2
    而且 错误输出包含 "事项.jsonl: 第 1 行 (P-1).progress: 应在 0 到 100 之间,实际为 150"
    而且 错误输出包含 "事项.jsonl: 第 3 行 (P-3).due: 不存在的日期 2026-02-30"
    而且 错误输出包含 "事项.jsonl: 第 4 行第 47 列: JSON 语法错误: 键应写在双引号中"
    而且 错误输出包含 "事项.jsonl: 第 5 行 (P-1).id: 编号重复,已见于 事项.jsonl 第 1 行"
    而且 错误输出只有 4 行
    而且 标准输出为空

  场景: 没有指定台账时检查示例台账并提示
    当 在命令行运行 "duban check --fail-on never"
    那么 退出码为 0
    而且 错误输出包含 "示例台账"

  场景: 列出规则包中的全部规则
    当 在命令行运行 "duban rules"
    那么 退出码为 0
    而且 标准输出包含 "MULTI-01"
    而且 标准输出包含 "lag_red_points"
