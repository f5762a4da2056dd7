"""Vehicles, vessels and practitioners' qualifications: the rules a registration or a ledger row must pass.

Plate, colour and 船舶识别号 rules are data (resources/fleet/plates.toml, parsed once by the service layer and
handed in as `PlateRules`), so a new plate series or province letter is a line in a file, not a code change.
The clerk's form, the ledger import and the overload import call the same functions.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.identifiers import normalise_identifier
from xuyi_desktop.domain.working_days import add_months


class PlateRuleFileError(DomainError):
    def __init__(self, message_zh: str) -> None:
        self.message_zh, self.message_en = message_zh, "resources/fleet/plates.toml is invalid"
        super().__init__(message_zh)


@dataclass(frozen=True)
class PlateRules:
    provinces: str
    letters: str
    small_new_energy: str
    large_new_energy: str
    suffixes: str
    colours: dict[str, str]  # any accepted spelling (folded) -> stored colour
    colour_names: tuple[str, ...]
    new_energy_colours: tuple[str, ...]
    vessel_prefix: str
    vessel_digits: int
    earliest_keel_year: int


def parse_plate_rules(text: str, where: str = "plates.toml") -> PlateRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlateRuleFileError(f"{where}：TOML 格式错误（{exc}）") from exc
    try:
        colours: dict[str, str] = {}
        for name, aliases in data["colours"].items():
            for spelling in (name, *aliases):
                colours[_fold(spelling)] = name
        vessel = data["vessel"]
        rules = PlateRules(
            str(data["provinces"]), str(data["letters"]).upper(), str(data["small_new_energy_letters"]).upper(),
            str(data["large_new_energy_letters"]).upper(), str(data.get("special_suffixes", "")), colours,
            tuple(data["colours"]), tuple(data["new_energy"]["colours"]), str(vessel["prefix"]).upper(),
            int(vessel["digits"]), int(vessel.get("earliest_keel_year", 1900)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlateRuleFileError(f"{where}：缺少或写错了 {exc}") from exc
    unknown = [c for c in rules.new_energy_colours if c not in rules.colour_names]
    if unknown or "I" in rules.letters or "O" in rules.letters or not rules.provinces:
        raise PlateRuleFileError(f"{where}：新能源颜色须在 colours 中，字母表不能含 I、O，省份简称不能为空")
    return rules


def _fold(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


_PLATE_NOISE = re.compile(r"[\s\-·•.．・_]+")


def normalise_plate(raw: str) -> str:
    """苏 H·12345, 苏h-12345, full-width letters → 苏H12345."""
    return _PLATE_NOISE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


@dataclass(frozen=True)
class PlateCheck:
    value: str
    new_energy: bool
    problems: tuple[FieldProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_plate(raw: str, rules: PlateRules, field: str = "plate") -> PlateCheck:
    """A mainland motor-vehicle plate: province abbreviation, the issuing office's letter (no I/O), then five
    characters (or four and 挂/学/…), or six for a new-energy plate (D/F first for small, last for large)."""
    plate = normalise_plate(raw)

    def bad(zh: str, en: str) -> PlateCheck:
        return PlateCheck(plate, False, (FieldProblem(field, f"车牌号“{raw.strip()}”{zh}", en),))

    if not plate:
        return bad("为空", "plate is empty")
    if plate[0] not in rules.provinces:
        return bad(f"的第一位应为省份简称（如 苏），收到“{plate[0]}”", "plate must start with a province abbreviation")
    if len(plate) < 2 or plate[1] not in rules.letters:
        return bad("的第二位应为发牌机关代号字母（不用 I、O）", "second character must be a letter other than I/O")
    body = plate[2:]
    allowed = set(rules.letters) | set("0123456789")
    if "I" in body or "O" in body:
        return bad("的序号中不能有字母 I 或 O（易与数字1、0混淆）", "letters I and O are not used")
    if len(body) == 6:
        small = body[0] in rules.small_new_energy and all(c in allowed for c in body[1]) and body[2:].isdigit()
        large = body[:5].isdigit() and body[5] in rules.large_new_energy
        if small or large:
            return PlateCheck(plate, True, ())
        return bad(
            f"为8位新能源号牌时，小型车序号第一位应为 {'/'.join(rules.small_new_energy)}、后四位为数字，"
            f"大型车前五位为数字、最后一位为 {'/'.join(rules.large_new_energy)}",
            "malformed new-energy plate",
        )
    if len(body) == 5 and all(c in allowed for c in body):
        return PlateCheck(plate, False, ())
    if len(body) == 5 and body[-1] in rules.suffixes and all(c in allowed for c in body[:4]):
        return PlateCheck(plate, False, ())
    return bad("的长度或字符不对（普通号牌如 苏H12345、挂车如 苏H1234挂，新能源号牌为8位如 苏HD12345）", "malformed plate")


def check_plate_colour(raw: str, rules: PlateRules, *, new_energy: bool, field: str = "plate_colour") -> tuple[str, list[FieldProblem]]:
    """The stored colour for what was typed; an 8-character plate must be green (渐变绿) or yellow-green."""
    colour = rules.colours.get(_fold(raw))
    if colour is None:
        return "", [FieldProblem(field, f"未知的号牌颜色：{raw}（可填：{'、'.join(rules.colour_names)}）", "unknown plate colour")]
    if new_energy and colour not in rules.new_energy_colours:
        return colour, [FieldProblem(field, f"8位新能源号牌的颜色应为{'或'.join(rules.new_energy_colours)}，收到“{raw}”",
                                     "a new-energy plate is green or yellow-green")]
    if not new_energy and colour in rules.new_energy_colours:
        return colour, [FieldProblem(field, f"{colour}号牌为8位新能源号牌，车牌号只有7位", "green plates have 8 characters")]
    return colour, []


def check_vessel_id(raw: str, rules: PlateRules, *, today: dt.date | None = None, field: str = "ship_id") -> tuple[str, list[FieldProblem]]:
    """船舶识别号: CN + 11 digits, the first four the year the keel was laid (the check digit's algorithm is not
    public in the sources we hold, so it is not checked)."""
    value = normalise_identifier(raw)
    n = rules.vessel_digits
    if not (value.startswith(rules.vessel_prefix) and len(value) == len(rules.vessel_prefix) + n and value[len(rules.vessel_prefix):].isdigit()):
        return value, [FieldProblem(field, f"船舶识别号应为{rules.vessel_prefix}加{n}位数字（如 CN20120012345），收到“{raw.strip()}”",
                                    "vessel id must be CN + 11 digits")]
    year = int(value[len(rules.vessel_prefix):len(rules.vessel_prefix) + 4])
    last = (today or dt.date.today()).year + 1
    if not rules.earliest_keel_year <= year <= last:
        return value, [FieldProblem(field, f"船舶识别号第3至6位为安放龙骨年份，{year}年不合理", "implausible keel year in vessel id")]
    return value, []


_NUMBER = re.compile(r"^[0-9A-Z\u4e00-\u9fff]{4,32}$")


def normalise_number(raw: str) -> str:
    """A certificate number (道路运输证号, 营业运输证号, 从业资格证号): NFKC, no spaces or dashes, upper case."""
    return normalise_identifier(raw)


def check_number(raw: str, label: str, field: str, *, required: bool = False) -> tuple[str, list[FieldProblem]]:
    value = normalise_number(raw)
    if not value:
        return "", [FieldProblem(field, f"{label}不能为空", f"{field} is required")] if required else []
    if not _NUMBER.match(value):
        return value, [FieldProblem(field, f"{label}应为4至32位字母、数字或汉字，收到“{raw.strip()}”", f"malformed {field}")]
    return value, []


VEHICLE_STATUSES = {"active": "营运", "suspended": "停运", "cancelled": "注销"}
_STATUS_BY_LABEL = {v: k for k, v in VEHICLE_STATUSES.items()} | {"正常": "active", "有效": "active", "报停": "suspended",
                                                                   "过户": "cancelled", "报废": "cancelled"}


def vehicle_status(text: str) -> str | None:
    t = (text or "").strip()
    return t if t in VEHICLE_STATUSES else _STATUS_BY_LABEL.get(t)


@dataclass(frozen=True)
class VehicleDraft:
    operator: str  # the operator's UUID or USCC
    plate: str
    plate_colour: str
    transport_cert_no: str = ""
    vehicle_type: str = ""
    tonnage: float | None = None  # 核定载质量（吨）
    seats: int | None = None  # 核定载客（座）
    cert_valid_from: dt.date | None = None
    cert_valid_to: dt.date | None = None
    status: str = "active"
    notes: str = ""


def _dates(problems: list[FieldProblem], start: dt.date | None, end: dt.date | None, what: str) -> None:
    if start and end and start > end:
        problems.append(FieldProblem("valid_to", f"{what}的起始日期晚于截止日期", "valid_from after valid_to"))


def check_vehicle(d: VehicleDraft, rules: PlateRules) -> VehicleDraft:
    """Normalise and validate; raise ValidationError naming every broken field."""
    problems: list[FieldProblem] = []
    plate = check_plate(d.plate, rules)
    problems += plate.problems
    colour, cp = check_plate_colour(d.plate_colour, rules, new_energy=plate.new_energy) if plate.ok else ("", [])
    problems += cp
    cert, np_ = check_number(d.transport_cert_no, "道路运输证号", "transport_cert_no")
    problems += np_
    if d.tonnage is not None and not 0 <= d.tonnage <= 200:
        problems.append(FieldProblem("tonnage", "核定载质量应在0至200吨之间", "tonnage out of range"))
    if d.seats is not None and not 0 <= d.seats <= 100:
        problems.append(FieldProblem("seats", "核定载客应在0至100座之间", "seats out of range"))
    status = vehicle_status(d.status)
    if status is None:
        problems.append(FieldProblem("status", f"未知的车辆状态：{d.status}（可填：{'、'.join(VEHICLE_STATUSES.values())}）", "unknown status"))
    _dates(problems, d.cert_valid_from, d.cert_valid_to, "道路运输证有效期")
    if problems:
        raise ValidationError(problems)
    return replace(d, plate=plate.value, plate_colour=colour, transport_cert_no=cert, vehicle_type=" ".join(d.vehicle_type.split()),
                   status=status or "active", notes=d.notes.strip())


@dataclass(frozen=True)
class VesselDraft:
    operator: str
    name: str
    ship_id: str  # 船舶识别号
    transport_cert_no: str = ""  # 船舶营业运输证号
    gross_tonnage: float | None = None  # 总吨
    deadweight: float | None = None  # 载重吨
    vessel_type: str = ""
    cert_valid_from: dt.date | None = None
    cert_valid_to: dt.date | None = None
    status: str = "active"
    notes: str = ""


def check_vessel(d: VesselDraft, rules: PlateRules, *, today: dt.date | None = None) -> VesselDraft:
    problems: list[FieldProblem] = []
    name = " ".join(unicodedata.normalize("NFKC", d.name or "").split())
    if not name:
        problems.append(FieldProblem("name", "船名不能为空", "vessel name is empty"))
    elif len(name) > 100:
        problems.append(FieldProblem("name", "船名不能超过100个字符", "vessel name too long"))
    ship_id, sp = check_vessel_id(d.ship_id, rules, today=today)
    problems += sp
    cert, np_ = check_number(d.transport_cert_no, "船舶营业运输证号", "transport_cert_no")
    problems += np_
    for value, label, field in ((d.gross_tonnage, "总吨", "gross_tonnage"), (d.deadweight, "载重吨", "deadweight")):
        if value is not None and not 0 <= value <= 500_000:
            problems.append(FieldProblem(field, f"{label}应在0至500000之间", f"{field} out of range"))
    status = vehicle_status(d.status)
    if status is None:
        problems.append(FieldProblem("status", f"未知的船舶状态：{d.status}", "unknown status"))
    _dates(problems, d.cert_valid_from, d.cert_valid_to, "营业运输证有效期")
    if problems:
        raise ValidationError(problems)
    return replace(d, name=name, ship_id=ship_id, transport_cert_no=cert, vessel_type=" ".join(d.vessel_type.split()),
                   status=status or "active", notes=d.notes.strip())


@dataclass(frozen=True)
class QualificationDraft:
    """A road-transport practitioner's 从业资格证: number, class and the date it was first issued."""

    cert_no: str
    qualification_class: str = ""
    first_issued_on: dt.date | None = None
    valid_to: dt.date | None = None


def check_qualification(d: QualificationDraft, *, today: dt.date | None = None) -> QualificationDraft:
    problems: list[FieldProblem] = []
    cert, np_ = check_number(d.cert_no, "从业资格证号", "cert_no", required=True)
    problems += np_
    today = today or dt.date.today()
    if d.first_issued_on is not None and d.first_issued_on > today:
        problems.append(FieldProblem("first_issued_on", "初次领证日期不能晚于今天", "first issue date in the future"))
    if d.first_issued_on and d.valid_to and d.first_issued_on > d.valid_to:
        problems.append(FieldProblem("valid_to", "从业资格证有效期至早于初次领证日期", "valid_to before first issue"))
    if problems:
        raise ValidationError(problems)
    return replace(d, cert_no=cert, qualification_class=" ".join(d.qualification_class.split()))


def driver_cycle(first_issued_on: dt.date, on: dt.date) -> tuple[dt.date, dt.date]:
    """The driver's 12-month 诚信考核 cycle containing `on`: cycles start at the first issue of the qualification
    certificate (交运发〔2008〕280号) and follow each other yearly."""
    if on < first_issued_on:
        return first_issued_on, add_months(first_issued_on, 12) - dt.timedelta(days=1)
    years = on.year - first_issued_on.year
    start = add_months(first_issued_on, 12 * years)
    if start > on:
        start = add_months(first_issued_on, 12 * (years - 1))
    return start, add_months(start, 12) - dt.timedelta(days=1)
