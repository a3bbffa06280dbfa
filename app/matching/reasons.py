"""Reasons in plain Chinese, written for the seeker reading them on a phone.

Each function renders one part's findings; it decides nothing. Numbers are shown as people say them
(月薪4500–6000元, 约1560公里), grades by their names (初级 .. 高级技师).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.matching.profiles import FamilyProfile, SkillClaim
from app.matching.skills import ResolvedSkill
from app.matching.taxonomy import LEVELS

__all__ = [
    "KIND_LABELS",
    "family_reason",
    "level_name",
    "location_reason",
    "pairing_reason",
    "pay_reason",
    "skills_reason",
    "start_reason",
]

KIND_LABELS = {"couple": "夫妻岗", "father_son": "父子岗", "brothers": "兄弟岗"}


def level_name(level: int) -> str:
    return LEVELS[level - 1] if 1 <= level <= len(LEVELS) else "未定级"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "亲情岗位")


def _claim_detail(claim: SkillClaim) -> str:
    bits = [level_name(claim.level)] if claim.level else []
    if claim.years:
        bits.append(f"{claim.years}年")
    return f"（{'，'.join(bits)}）" if bits else ""


def skills_reason(
    *,
    vacancy_skill: ResolvedSkill,
    claim: SkillClaim,
    resolved: ResolvedSkill,
    relatedness: int,
    relation: str | None,
    required_level: int,
    required_years: int,
    covered: Sequence[ResolvedSkill],
    missing: Sequence[tuple[ResolvedSkill, int]],
    unrecognised: Sequence[str],
) -> str:
    notes: list[str] = []
    if vacancy_skill.method == "fuzzy":
        notes.append(f"岗位工种“{vacancy_skill.text}”按相近文字识别为“{vacancy_skill.label}”")
    if resolved.method == "fuzzy":
        notes.append(f"技能“{claim.text}”未能识别，按相近文字匹配为“{resolved.label}”")
    elif resolved.method == "unknown":
        notes.append(f"技能“{claim.text}”未能识别，按相同文字匹配")
    if relatedness >= 100:
        head = f"技能匹配：{vacancy_skill.label}{_claim_detail(claim)}"
    else:
        why = f"（{relation}）" if relation else ""
        head = f"相近工种：{resolved.label}{_claim_detail(claim)}可做{vacancy_skill.label}{why}，按{relatedness}%计分"
    text = [head]
    if required_level and claim.level < required_level:
        text.append(f"岗位要求{level_name(required_level)}，您为{level_name(claim.level)}")
    if required_years and claim.years < required_years:
        text.append(f"岗位要求{required_years}年经验，您有{claim.years}年")
    if covered:
        text.append("具备所需技能：" + "、".join(skill.label for skill in covered))
    if missing:
        names = "、".join(skill.label + (f"（{level_name(level)}）" if level else "") for skill, level in missing)
        text.append(f"缺少所需技能：{names}")
    if unrecognised:
        text.append("未能识别的技能：" + "、".join(f"“{t}”" for t in unrecognised))
    return "；".join([*notes, "；".join(text)])


def _distance_note(km: float | None) -> str:
    if km is None:
        return ""
    shown = round(km, -1) if km >= 100 else round(km)
    return f"，距家乡约{int(shown)}公里"


def location_reason(district: str, has_preferences: bool, preferred: bool, km: float | None) -> str:
    if not has_preferences:
        where = f"工作地点：{district}（您未填写意向区县）"
    elif preferred:
        where = f"工作地点：{district}，在您的意向区县内"
    else:
        where = f"工作地点：{district}，不在您的意向区县内"
    return where + _distance_note(km)


def pairing_reason(district: str, origin: str, paired_with: str | None) -> str:
    if paired_with is None:
        return f"{district}与{origin}暂无结对帮扶关系"
    return f"对口帮扶：{paired_with}—{district}"


def pay_reason(expected: int | None, pay_min: int, pay_max: int, pct: int) -> str:
    offered = f"月薪{pay_min}–{pay_max}元" if pay_min != pay_max else f"月薪{pay_max}元"
    if expected is None:
        return f"{offered}（您未填写期望薪资）"
    if pct == 100:
        return f"{offered}，不低于您的期望{expected}元"
    if pct >= 50:
        return f"{offered}，您的期望{expected}元在范围内"
    if pct > 0:
        return f"{offered}，略低于您的期望{expected}元"
    return f"{offered}，低于您的期望{expected}元"


def _day(value: date) -> str:
    return f"{value.month}月{value.day}日"


def start_reason(available_from: date | None, start_date: date | None, today: date, pct: int) -> str:
    ready = max(available_from or today, today)
    begins = max(start_date or today, today)
    if pct == 100:
        return f"岗位{_day(begins)}开工，您可按时到岗" if begins > today else "岗位现在开工，您可按时到岗"
    return f"您{_day(ready)}起可到岗，比开工晚{(ready - begins).days}天"


def family_reason(
    family: FamilyProfile | None, vacancy_slots: int, employer_slots: int, free_dorms: int, pct: int
) -> str:
    if family is None:
        return "个人求职"
    label = kind_label(family.kind)
    dorm = "，提供夫妻宿舍" if free_dorms >= 1 and (family.needs_couple_dormitory or family.kind == "couple") else ""
    if family.needs_couple_dormitory and free_dorms < 1:
        return "该单位暂无空余夫妻宿舍"
    if pct >= 100 and vacancy_slots >= 1:
        return f"本岗位设有{label}{dorm}"
    if employer_slots >= 1:
        return f"该单位另有{label}{employer_slots}个{dorm}"
    return f"该单位暂无{label}"
