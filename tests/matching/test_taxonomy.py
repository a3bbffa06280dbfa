"""The occupation taxonomy: what seekers and employers type must land on the same skill."""

from __future__ import annotations

import csv
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.matching.taxonomy import (
    DATA_DIR,
    GROUP_CREDIT,
    LEVELS,
    Occupation,
    Taxonomy,
    default_taxonomy,
    parse_level,
)

TX = default_taxonomy()
# No example database: keep test runs from writing into the repository.
HYPOTHESIS = settings(database=None, deadline=None)

HEADER = "id,code,name,aliases,group,licence,source\n"


def _occupation(text: str) -> Occupation:
    resolution = TX.resolve(text)
    assert resolution.occupation is not None, f"{text!r} did not resolve"
    return resolution.occupation


# --- every occupation named in DOMAIN.md ---------------------------------------------------------

DOMAIN_OCCUPATIONS = {
    "普工": "普工",
    "操作工": "操作工",
    "装配工": "装配工",
    "电焊工": "焊工",
    "焊工": "焊工",
    "电工": "电工",
    "钳工": "装配钳工",
    "数控": "多工序数控机床操作调整工",
    "CNC 操作工": "多工序数控机床操作调整工",
    "注塑工": "塑料制品成型制作工",
    "缝纫工": "缝纫工",
    "车位": "缝纫工",
    "质检员": "质检员",
    "叉车司机": "叉车司机",
    "仓管": "仓储管理员",
    "包装工": "包装工",
    "快递分拣员": "快件处理员",
    "保洁": "保洁员",
    "保安": "保安员",
    "厨师": "中式烹调师",
    "家政服务员": "家政服务员",
    "育婴员": "育婴员",
    "直播销售员": "互联网营销师",
    "刺绣工": "抽纱刺绣工",
}


@pytest.mark.parametrize(("text", "canonical"), sorted(DOMAIN_OCCUPATIONS.items()))
def test_every_domain_occupation_resolves_with_certainty(text: str, canonical: str) -> None:
    resolution = TX.resolve(text)
    assert resolution.occupation is not None
    assert resolution.occupation.name == canonical
    assert resolution.method in ("exact", "alias")
    assert resolution.confidence == 1.0
    assert resolution.text == text


def test_canonical_name_resolves_as_exact_and_alias_as_alias() -> None:
    assert TX.resolve("焊工").method == "exact"
    assert TX.resolve("电焊").method == "alias"


@pytest.mark.parametrize("text", ["电焊", "焊工", "电焊工", "氩弧焊", "氩弧焊工", "二保焊", "电焊师傅"])
def test_welding_synonyms_are_one_skill_with_the_classification_code(text: str) -> None:
    occupation = _occupation(text)
    assert occupation.name == "焊工"
    assert occupation.code == "6-18-02-04"
    assert occupation.group == "welding"


def test_sewing_machinist_slang_is_the_sewing_worker() -> None:
    occupation = _occupation("车位")
    assert occupation.name == "缝纫工"
    assert occupation.code == "6-05-01-03"
    # 车工 is a lathe operator, not a sewing worker, even though garment ads sometimes say 服装车工.
    assert _occupation("车工").name == "车工"


def test_forklift_driver_needs_a_licence() -> None:
    forklift = _occupation("叉车")
    assert forklift.name == "叉车司机"
    assert forklift.licence is not None and "叉车" in forklift.licence
    assert _occupation("包装工").licence is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("  电 焊 工 ", "焊工"),
        ("ＣＮＣ操作工", "多工序数控机床操作调整工"),
        ("cnc", "多工序数控机床操作调整工"),
        ("普工（包吃住）", "普工"),
        ("普工(长白班)", "普工"),
        ("急招熟练电焊工3名", "焊工"),
        ("招聘叉车工若干名", "叉车司机"),
        ("高级电工", "电工"),
        ("电工师傅", "电工"),
        ("女普工", "普工"),
        ("缝纫员", "缝纫工"),
        ("保洁阿姨", "保洁员"),
        ("月嫂", "母婴护理员"),
        ("带货主播", "互联网营销师"),
        ("打包", "包装工"),
        ("分拣", "快件处理员"),
        ("跟单", "跟单员"),
    ],
)
def test_everyday_spellings_and_job_ad_decoration_are_normalised(text: str, canonical: str) -> None:
    resolution = TX.resolve(text)
    assert resolution.occupation is not None and resolution.occupation.name == canonical
    assert resolution.method in ("exact", "alias")
    assert resolution.confidence == 1.0


# --- fuzzy and unknown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("快递分检员", "快件处理员"), ("叉车司几", "叉车司机"), ("缝纫攻", "缝纫工"), ("汽车电焊工", "焊工")],
)
def test_typo_like_variants_are_reported_as_fuzzy_guesses(text: str, canonical: str) -> None:
    resolution = TX.resolve(text)
    assert resolution.method == "fuzzy"
    assert resolution.occupation is not None and resolution.occupation.name == canonical
    assert 0.0 < resolution.confidence < 1.0


def test_a_title_written_inside_a_list_beats_a_partial_overlap() -> None:
    resolution = TX.resolve("普工/操作工")
    assert resolution.method == "fuzzy"
    assert resolution.occupation is not None and resolution.occupation.name == "操作工"


GIBBERISH = ["", "   ", "asdfqwer", "啊啊啊啊", "工", "焊", "会计", "老师", "!!!", "😀😀"]


@pytest.mark.parametrize("text", GIBBERISH)
def test_gibberish_and_unrelated_text_is_unknown_not_dropped(text: str) -> None:
    resolution = TX.resolve(text)
    assert resolution.occupation is None
    assert resolution.method == "unknown"
    assert resolution.confidence == 0.0
    assert resolution.text == text


def test_non_text_input_is_unknown_instead_of_raising() -> None:
    assert TX.resolve(None).method == "unknown"  # type: ignore[arg-type]
    assert TX.resolve(42).method == "unknown"  # type: ignore[arg-type]


def test_resolution_is_cached() -> None:
    assert TX.resolve("电焊工") is TX.resolve("电焊工")


# --- relatedness -------------------------------------------------------------------------------------


def test_related_jobs_get_partial_credit_symmetrically() -> None:
    assembler, operator = _occupation("装配工"), _occupation("操作工")
    credit = TX.relatedness(assembler, operator)
    assert 0.0 < credit < 1.0
    assert credit == TX.relatedness(operator, assembler)
    assert TX.relation_reason(assembler, operator)


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("缝纫工", "刺绣工", 0.4, 0.6),
        ("普工", "装配工", 0.4, 0.8),
        ("仓管", "叉车司机", 0.2, 0.6),
        ("快递分拣员", "包装工", 0.3, 0.7),
        ("家政服务员", "育婴员", 0.4, 0.8),
        ("家政服务员", "保洁", 0.4, 0.8),
    ],
)
def test_domain_relations_have_partial_credit(a: str, b: str, low: float, high: float) -> None:
    assert low <= TX.relatedness(_occupation(a), _occupation(b)) <= high


def test_welder_and_fitter_are_related_less_than_assembler_and_operator() -> None:
    welder_fitter = TX.relatedness(_occupation("焊工"), _occupation("钳工"))
    assert 0.0 < welder_fitter < TX.relatedness(_occupation("装配工"), _occupation("操作工"))


def test_unrelated_jobs_get_nothing() -> None:
    assert TX.relatedness(_occupation("厨师"), _occupation("电焊工")) == 0.0
    assert TX.relation_reason(_occupation("厨师"), _occupation("电焊工")) is None


def test_same_occupation_is_full_credit() -> None:
    assert TX.relatedness(_occupation("电焊"), _occupation("氩弧焊工")) == 1.0


def test_same_group_gets_the_default_and_explicit_rows_override_it() -> None:
    lathe, forging = TX.by_name("车工"), TX.by_name("锻造工")
    assert lathe.group == forging.group
    assert TX.relatedness(lathe, forging) == GROUP_CREDIT
    sewing, tailor = TX.by_name("缝纫工"), TX.by_name("裁缝")
    assert sewing.group == tailor.group
    assert TX.relatedness(sewing, tailor) == 0.7


# --- the data files ----------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_occupation_file_has_a_useful_size_and_valid_unique_codes() -> None:
    rows = _rows("occupations.csv")
    assert 120 <= len(rows) <= 250
    assert len(TX) == len(rows)
    codes = [row["code"] for row in rows if row["code"]]
    assert len(codes) == len(set(codes))
    for row in rows:
        if row["code"]:
            assert re.fullmatch(r"\d-\d{2}-\d{2}-\d{2}", row["code"]), row
            assert row["source"] == "CSCO2022", row
        else:
            assert row["source"] == "curated", row
    ids = [int(row["id"]) for row in rows]
    assert len(ids) == len(set(ids))


def test_related_file_rows_name_known_occupations_with_credit_below_one() -> None:
    for row in _rows("related.csv"):
        a, b = TX.by_name(row["a"]), TX.by_name(row["b"])
        assert 0.0 < float(row["credit"]) < 1.0
        assert TX.relatedness(a, b) == float(row["credit"])
        assert row["why"]


def test_lookups_by_id_and_name() -> None:
    welder = TX.by_name("焊工")
    assert TX.by_id(welder.id) is welder
    assert list(TX) == sorted(TX, key=lambda occupation: occupation.id)
    with pytest.raises(KeyError):
        TX.by_name("电焊")  # an alias, not a canonical name
    with pytest.raises(KeyError):
        TX.by_id(999_999)


def test_default_taxonomy_is_a_singleton() -> None:
    assert default_taxonomy() is default_taxonomy()


def test_loading_is_fast() -> None:
    # The target is < 50 ms (about 15 ms measured); the margin keeps slow CI machines from flaking.
    best = min(_timed_load() for _ in range(3))
    assert best < 0.1


def _timed_load() -> float:
    started = time.perf_counter()
    Taxonomy.load()
    return time.perf_counter() - started


# --- validation of hand-edited files ----------------------------------------------------------------


def _write(directory: Path, occupations: str, related: str | None = None) -> Path:
    (directory / "occupations.csv").write_text(HEADER + occupations, encoding="utf-8")
    if related is not None:
        (directory / "related.csv").write_text("a,b,credit,why\n" + related, encoding="utf-8")
    return directory


def test_a_spelling_shared_by_two_occupations_is_rejected_naming_the_row(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "1,6-18-02-04,焊工,电焊|氩弧焊,welding,,CSCO2022\n"
        "2,6-31-01-03,电工,电焊|维修电工,electrical,,CSCO2022\n",
    )
    with pytest.raises(ValueError, match=r"line 3 \(电工\).*'电焊'.*'焊工'"):
        Taxonomy.load(tmp_path)


def test_a_duplicate_after_normalisation_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "1,,普工,CNC,general,,curated\n2,,操作工,ｃｎｃ,general,,curated\n")
    with pytest.raises(ValueError, match="already belongs"):
        Taxonomy.load(tmp_path)


@pytest.mark.parametrize(
    ("occupations", "message"),
    [
        ("1,6-18-2-4,焊工,,welding,,CSCO2022\n", "not of the form"),
        ("1,6-18-02-04,焊工,,welding,,curated\n", "curated row must leave it empty"),
        ("1,,焊工,,welding,,CSCO2022\n", "CSCO2022 needs a code"),
        ("1,,焊工,,welding,,\n", "source must be one of"),
        ("1,,焊工,,Welding Jobs,,curated\n", "group"),
        ("x,,焊工,,welding,,curated\n", "not a whole number"),
        ("1,,焊工,,welding,,curated\n1,,电工,,electrical,,curated\n", "id 1 is already used"),
        (
            "1,6-18-02-04,焊工,,welding,,CSCO2022\n2,6-18-02-04,电工,,electrical,,CSCO2022\n",
            "code 6-18-02-04 is already used",
        ),
        ("1,,,电焊,welding,,curated\n", "name is empty"),
    ],
)
def test_malformed_occupation_rows_are_rejected(tmp_path: Path, occupations: str, message: str) -> None:
    _write(tmp_path, occupations)
    with pytest.raises(ValueError, match=message):
        Taxonomy.load(tmp_path)


@pytest.mark.parametrize(
    ("related", "message"),
    [
        ("焊工,厨师,0.5,不存在\n", "'厨师' is not an occupation"),
        ("电焊,电工,0.5,用了别名\n", "is an alias; use the canonical name '焊工'"),
        ("焊工,电工,1.0,太高\n", "between 0 and 1"),
        ("焊工,电工,0,太低\n", "between 0 and 1"),
        ("焊工,焊工,0.5,自己\n", "itself"),
        ("焊工,电工,0.5,一\n电工,焊工,0.4,二\n", "already listed on line 2"),
    ],
)
def test_malformed_related_rows_are_rejected(tmp_path: Path, related: str, message: str) -> None:
    _write(
        tmp_path,
        "1,6-18-02-04,焊工,电焊,welding,,CSCO2022\n2,6-31-01-03,电工,,electrical,,CSCO2022\n",
        related,
    )
    with pytest.raises(ValueError, match=message):
        Taxonomy.load(tmp_path)


def test_excel_byte_order_mark_and_blank_rows_are_accepted(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "related.csv", tmp_path / "related.csv")
    text = (DATA_DIR / "occupations.csv").read_text(encoding="utf-8")
    (tmp_path / "occupations.csv").write_text("\ufeff" + text + ",,,,,,\n", encoding="utf-8")
    assert len(Taxonomy.load(tmp_path)) == len(TX)


# --- skill levels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        (None, 0),
        ("", 0),
        ("无", 0),
        ("初级", 1),
        ("中级", 2),
        ("高级", 3),
        ("技师", 4),
        ("高级技师", 5),
        ("五级", 1),
        ("四级", 2),
        ("三级", 3),
        ("二级", 4),
        ("一级", 5),
        ("初级工", 1),
        ("中级工", 2),
        ("高级工", 3),
        (" 高级 ", 3),
        ("国家职业资格三级", 3),
        ("三级/高级工", 3),
        ("电工（中级）", 2),
        ("焊工证 四级", 2),
        ("一级建造师", 0),
    ],
)
def test_parse_level(text: str | None, level: int) -> None:
    assert parse_level(text) == level


def test_levels_run_from_entry_grade_to_senior_technician() -> None:
    assert [parse_level(word) for word in LEVELS] == [1, 2, 3, 4, 5]


# --- properties --------------------------------------------------------------------------------------


@HYPOTHESIS
@given(st.text(max_size=60))
def test_resolve_never_raises_and_is_internally_consistent(text: str) -> None:
    resolution = TX.resolve(text)
    assert resolution.text == text
    if resolution.method == "unknown":
        assert resolution.occupation is None and resolution.confidence == 0.0
    elif resolution.method == "fuzzy":
        assert resolution.occupation is not None and 0.0 < resolution.confidence < 1.0
    else:
        assert resolution.occupation is not None and resolution.confidence == 1.0
    if resolution.occupation is not None:
        again = TX.resolve(resolution.occupation.name)
        assert again.occupation == resolution.occupation and again.method == "exact"


@HYPOTHESIS
@given(st.sampled_from(list(TX)))
def test_resolving_a_canonical_name_is_idempotent(occupation: Occupation) -> None:
    first = TX.resolve(occupation.name)
    assert first.occupation == occupation and first.method == "exact"
    assert first.occupation is not None
    assert TX.resolve(first.occupation.name) == first


@HYPOTHESIS
@given(st.sampled_from([(o, alias) for o in TX for alias in o.aliases]))
def test_every_alias_resolves_to_its_own_occupation(pair: tuple[Occupation, str]) -> None:
    occupation, alias = pair
    resolution = TX.resolve(alias)
    assert resolution.occupation == occupation and resolution.method == "alias"
