"""Reference places: Ningbo's workplaces, the partner (origin) regions, and the district pairings.

Codes are strings. Standard ones are GB/T 2260 six-digit administrative codes as in force in 2021.
义龙新区 (Yilong New Area, a development zone run by Qianxinan) has no GB/T 2260 code; it gets the
project code ``YILONG_CODE = "522300-YL"``, which can never collide with a standard code (those are
six digits). Origin regions beyond these are data added at run time, not code: the seed only holds what
the programme names.

Levels: ``province``; ``prefecture`` (地级市, 自治州); ``district`` for a 市辖区; ``county`` for a 县,
自治县 or 县级市. So of Ningbo's ten workplaces six are ``district`` and four (象山县, 宁海县, 余姚市,
慈溪市) are ``county``: filter workplaces on ``role == "workplace"`` or ``NINGBO_DISTRICT_CODES``,
never on the level.

Coordinates are the seat (location of the people's government), WGS-84 decimal degrees, given to three
decimals. They were compiled from general geographic knowledge and cross-checked against published
minute-resolution tables, not surveyed: expect errors up to about 2 km, more for 义龙新区 (its
administrative committee at 顶效, about 5 km). Good enough for heat maps and commuting-distance
estimates, not for navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Level = Literal["province", "prefecture", "county", "district"]
Role = Literal["origin", "workplace", "none"]

YILONG_CODE = "522300-YL"


@dataclass(frozen=True, slots=True)
class RegionSeed:
    code: str
    name: str
    level: Level
    parent_code: str | None
    role: Role
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class PairingSeed:
    """A Ningbo district helping an origin region (结对帮扶). The origin may be a whole prefecture."""

    district_code: str
    origin_code: str
    valid_from: date


_PROVINCES = [
    RegionSeed("330000", "浙江省", "province", None, "none", 30.267, 120.153),
    RegionSeed("520000", "贵州省", "province", None, "none", 26.598, 106.707),
    RegionSeed("220000", "吉林省", "province", None, "none", 43.897, 125.326),
]

_NINGBO = [
    # Seat of the city government since its move to the eastern new town (宁穿路2001号, 鄞州区).
    RegionSeed("330200", "宁波市", "prefecture", "330000", "none", 29.867, 121.624),
    RegionSeed("330203", "海曙区", "district", "330200", "workplace", 29.874, 121.546),
    RegionSeed("330205", "江北区", "district", "330200", "workplace", 29.888, 121.551),
    RegionSeed("330206", "北仑区", "district", "330200", "workplace", 29.909, 121.829),
    RegionSeed("330211", "镇海区", "district", "330200", "workplace", 29.953, 121.716),
    RegionSeed("330212", "鄞州区", "district", "330200", "workplace", 29.818, 121.547),
    RegionSeed("330213", "奉化区", "district", "330200", "workplace", 29.655, 121.407),
    RegionSeed("330225", "象山县", "county", "330200", "workplace", 29.477, 121.869),
    RegionSeed("330226", "宁海县", "county", "330200", "workplace", 29.290, 121.430),
    RegionSeed("330281", "余姚市", "county", "330200", "workplace", 30.041, 121.152),
    RegionSeed("330282", "慈溪市", "county", "330200", "workplace", 30.177, 121.247),
]

_QIANXINAN = [
    RegionSeed("522300", "黔西南布依族苗族自治州", "prefecture", "520000", "origin", 25.091, 104.895),
    RegionSeed("522301", "兴义市", "county", "522300", "origin", 25.093, 104.891),
    # Was 兴仁县 522322 until it became a county-level city in 2018; IDs issued before keep 522322.
    RegionSeed("522302", "兴仁市", "county", "522300", "origin", 25.434, 105.190),
    RegionSeed("522323", "普安县", "county", "522300", "origin", 25.789, 104.952),
    RegionSeed("522324", "晴隆县", "county", "522300", "origin", 25.835, 105.216),
    RegionSeed("522325", "贞丰县", "county", "522300", "origin", 25.388, 105.647),
    RegionSeed("522326", "望谟县", "county", "522300", "origin", 25.169, 106.089),
    RegionSeed("522327", "册亨县", "county", "522300", "origin", 24.986, 105.809),
    RegionSeed("522328", "安龙县", "county", "522300", "origin", 25.111, 105.468),
    RegionSeed(YILONG_CODE, "义龙新区", "county", "522300", "origin", 25.123, 105.010),
]

_YANBIAN = [
    RegionSeed("222400", "延边朝鲜族自治州", "prefecture", "220000", "origin", 42.904, 129.509),
    RegionSeed("222401", "延吉市", "county", "222400", "origin", 42.891, 129.508),
    RegionSeed("222402", "图们市", "county", "222400", "origin", 42.969, 129.841),
    RegionSeed("222403", "敦化市", "county", "222400", "origin", 43.371, 128.230),
    RegionSeed("222404", "珲春市", "county", "222400", "origin", 42.873, 130.360),
    RegionSeed("222405", "龙井市", "county", "222400", "origin", 42.773, 129.420),
    RegionSeed("222406", "和龙市", "county", "222400", "origin", 42.549, 129.003),
    RegionSeed("222424", "汪清县", "county", "222400", "origin", 43.317, 129.760),
    RegionSeed("222426", "安图县", "county", "222400", "origin", 43.113, 128.895),
]

_QIANDONGNAN = [
    RegionSeed("522600", "黔东南苗族侗族自治州", "prefecture", "520000", "origin", 26.585, 107.975),
    RegionSeed("522601", "凯里市", "county", "522600", "origin", 26.585, 107.973),
    RegionSeed("522622", "黄平县", "county", "522600", "origin", 26.899, 107.897),
    RegionSeed("522623", "施秉县", "county", "522600", "origin", 27.037, 108.123),
    RegionSeed("522624", "三穗县", "county", "522600", "origin", 26.962, 108.677),
    RegionSeed("522625", "镇远县", "county", "522600", "origin", 27.053, 108.420),
    RegionSeed("522626", "岑巩县", "county", "522600", "origin", 27.176, 108.813),
    RegionSeed("522627", "天柱县", "county", "522600", "origin", 26.912, 109.209),
    RegionSeed("522628", "锦屏县", "county", "522600", "origin", 26.683, 109.199),
    # Seat moved to 革东镇 when the old town was flooded by the 三板溪 reservoir.
    RegionSeed("522629", "剑河县", "county", "522600", "origin", 26.730, 108.437),
    RegionSeed("522630", "台江县", "county", "522600", "origin", 26.672, 108.311),
    RegionSeed("522631", "黎平县", "county", "522600", "origin", 26.233, 109.133),
    RegionSeed("522632", "榕江县", "county", "522600", "origin", 25.934, 108.518),
    RegionSeed("522633", "从江县", "county", "522600", "origin", 25.750, 108.909),
    RegionSeed("522634", "雷山县", "county", "522600", "origin", 26.384, 108.076),
    RegionSeed("522635", "麻江县", "county", "522600", "origin", 26.497, 107.590),
    RegionSeed("522636", "丹寨县", "county", "522600", "origin", 26.202, 107.791),
]

REGIONS: list[RegionSeed] = [*_PROVINCES, *_NINGBO, *_QIANXINAN, *_YANBIAN, *_QIANDONGNAN]

REGIONS_BY_CODE: dict[str, RegionSeed] = {region.code: region for region in REGIONS}

NINGBO_DISTRICT_CODES: tuple[str, ...] = tuple(r.code for r in _NINGBO if r.role == "workplace")

# The programme's county pairings (结对帮扶) as the source article names them. The dates of the
# individual pairings are not published there; 2018-01-01 is the start of the period the article's
# figures cover ("since 2018"), used until a better date is known.
_SINCE_2018 = date(2018, 1, 1)
PAIRINGS: list[PairingSeed] = [
    PairingSeed("330203", "522325", _SINCE_2018),  # 海曙 — 贞丰
    PairingSeed("330203", YILONG_CODE, _SINCE_2018),  # 海曙 — 义龙新区
    PairingSeed("330211", "522323", _SINCE_2018),  # 镇海 — 普安
    PairingSeed("330226", "522324", _SINCE_2018),  # 宁海 — 晴隆
    PairingSeed("330212", "222406", _SINCE_2018),  # 鄞州 — 和龙
    PairingSeed("330212", "222401", _SINCE_2018),  # 鄞州 — 延吉
    PairingSeed("330213", "222404", _SINCE_2018),  # 奉化 — 珲春
    PairingSeed("330213", "222426", _SINCE_2018),  # 奉化 — 安图
    PairingSeed("330282", "522300", _SINCE_2018),  # 慈溪 — 黔西南州 as a whole
    PairingSeed("330225", "222400", _SINCE_2018),  # 象山 — 延边州 as a whole
]


def is_standard_code(code: str) -> bool:
    """True for a GB/T 2260 code; False for project codes such as ``YILONG_CODE``."""
    return len(code) == 6 and code.isascii() and code.isdigit()
