"""Documents built from plain data (no database) for the layout tests and the render check."""

from __future__ import annotations

import datetime as dt

from xuyi_desktop.printing.certificate import CertificateData
from xuyi_desktop.printing.commitment_form import CommitmentFormData
from xuyi_desktop.printing.list_publication import ListPublicationData, PublishedMember
from xuyi_desktop.services.credit_check import ConsequenceLine, CreditCheckResult, DomainGrade

LONG_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"  # 22 characters, an ordinary name
DAY = dt.date(2026, 3, 5)
QR = "XY1|HC|TMP-ABCDEF-HC-2026-000001|TMP-ABCDEF|20260305|" + "A" * 120


def commitment(name: str = LONG_NAME, text: str = "", organ: str = "盱眙县交通运输局") -> CommitmentFormData:
    paras = (
        "盱眙县交通运输局：",
        "本单位自愿作出如下承诺：所提交的申请材料真实、合法、有效，不存在隐瞒、虚假或误导性陈述；严格遵守有关法律法规和行业管理规定，依法诚信经营。"
        + text,
        "如违背上述承诺，本单位愿意承担相应法律责任，并同意将违诺情况记入信用记录，依法依规接受失信约束措施。",
    )
    return CommitmentFormData(
        serial="TMP-ABCDEF-CN-2026-000001", title="信用承诺书", entity_name=name, identifier_label="统一社会信用代码",
        identifier="91320830MA1XYZ1234", legal_representative="张伟", address="江苏省淮安市盱眙县盱城街道" + text[:40],
        phone="0517-88888888", type_name="审批替代型（告知承诺）", area_name="行政许可", business="道路货物运输经营许可" + text[:30],
        term_text="2026年3月5日至2027年3月4日", paragraphs=paras, organ=organ, signed_on=DAY, qr_payload=QR,
    )


def certificate(grade: str = "AAA", name: str = LONG_NAME, document_no: str = "盱交信〔2026〕3号", organ: str = "盱眙县交通运输局") -> CertificateData:
    return CertificateData(
        serial="TMP-ABCDEF-CERT-2026-000001", entity_name=name, identifier="91320830MA1XYZ1234",
        identifier_label="统一社会信用代码", domain_name="公路建设市场", period=2025, grade=grade,
        valid_from=dt.date(2026, 3, 1), valid_until=dt.date(2027, 2, 28), organ=organ, issued_on=DAY,
        document_no=document_no, qr_payload=QR,
    )


def check_result(name: str = LONG_NAME, text: str = "", commitments: int = 2) -> CreditCheckResult:
    return CreditCheckResult(
        serial="TMP-ABCDEF-HC-2026-000001", checked_at="2026-03-05T09:30:00+08:00", checked_by="clerk1", office="TMP-ABCDEF",
        business="port_operation", business_name="港口经营许可", checked_by_name="王小明",
        entity={"name": name, "identifier": "91320830MA1XYZ1234", "kind": "organisation", "kind_label": "法人",
                "category_labels": ["港口经营人"], "legal_representative": "张伟"},
        grades=[DomainGrade("port", "港口营运", "AA", False, "effective", 2025, "2026-03-01", "2027-02-28", note=text[:60], organ="盱眙县交通运输局")],
        consequences=[ConsequenceLine("port", "AA", "incentive", "优先办理港口经营许可相关业务；在日常检查中适当降低频次。" + text)],
        commitments=[
            {"serial": f"TMP-ABCDEF-CN-2026-00000{i}", "status": "active", "status_label": "履约中", "type_name": "审批替代型（告知承诺）",
             "area_name": "行政许可", "business": "港口经营许可" + text[:20], "signed_on": "2026-01-05", "term_until": "2027-01-04", "overdue": False}
            for i in range(1, commitments + 1)
        ],
    )


def publication(name: str = LONG_NAME, members: int = 3) -> ListPublicationData:
    return ListPublicationData(
        serial="TMP-ABCDEF-MD-2026-000001", list_name="交通运输领域守信激励对象名单（红名单）",
        intro="根据《盱眙县交通运输信用红黑名单管理办法》，现将红名单公布如下。",
        members=tuple(PublishedMember(name, "91320830MA1XYZ1234", "连续两年信用等级AA级以上", DAY, dt.date(2027, 3, 4)) for _ in range(members)),
        footer="自然人身份证号码已作脱敏处理。", organ="盱眙县交通运输局", issued_on=DAY, qr_payload=QR,
    )
