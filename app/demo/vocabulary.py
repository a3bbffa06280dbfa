"""Word lists the demo generator draws from: occupations as people write them, names, places, firms.

Everything here is invented for demonstration; company names are combinations of common words and are
not meant to name any real firm.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.seed.places import YILONG_CODE

LEVELS = ("初级", "中级", "高级", "技师", "高级技师")

FORKLIFT_CERT = "特种设备作业人员证（叉车）"
ELECTRICIAN_CERT = "特种作业操作证（低压电工）"
WELDER_CERT = "特种作业操作证（熔化焊接与热切割）"
HEALTH_CERT = "健康证"


@dataclass(frozen=True, slots=True)
class Occupation:
    canonical: str
    # The first spelling is the standard one; the others are how seekers and HR clerks actually write it.
    spellings: tuple[str, ...]
    skilled: bool
    pay: tuple[int, int]
    certificate: str | None = None
    # Share of seekers with this skill who hold the certificate.
    cert_share: float = 0.0


def _occ(canonical: str, spellings: str, skilled: bool, pay: tuple[int, int], certificate: str | None = None,
         cert_share: float = 0.0) -> Occupation:
    return Occupation(canonical, (canonical, *spellings.split()), skilled, pay, certificate, cert_share)


OCCUPATIONS: dict[str, Occupation] = {o.canonical: o for o in (
    _occ("普工", "普通工人 流水线普工 生产普工 杂工 普工/学徒", False, (4000, 6000)),
    _occ("操作工", "机台操作工 生产操作工 设备操作员 操作员 冲床操作工", False, (4500, 6500)),
    _occ("装配工", "装配 组装工 电子装配 装配员 总装工", False, (4500, 6500)),
    _occ("电焊工", "电焊 焊工 氩弧焊 二保焊 电焊/气割 氩弧焊工", True, (6000, 9000), WELDER_CERT, 0.5),
    _occ("电工", "维修电工 低压电工 水电工 电工（持证）", True, (6000, 8500), ELECTRICIAN_CERT, 0.55),
    _occ("钳工", "机修钳工 装配钳工 模具钳工 钳工师傅", True, (5500, 8500)),
    _occ("数控操作工", "数控 CNC CNC操作工 数控车床 加工中心操作 数控车工", True, (5500, 9000)),
    _occ("注塑工", "注塑 注塑机操作 啤机 注塑操作工", False, (4800, 7000)),
    _occ("缝纫工", "车位 缝纫 平车工 衣车 缝纫机工 车缝", True, (5000, 8500)),
    _occ("质检员", "质检 QC 品检 检验员 品质检验", False, (4500, 6500)),
    _occ("叉车司机", "叉车工 开叉车 叉车 叉车驾驶员", True, (5500, 8000), FORKLIFT_CERT, 0.6),
    _occ("仓管员", "仓管 仓库管理员 仓库保管 仓库文员", False, (4500, 6500)),
    _occ("包装工", "包装 打包工 包装员 成品包装", False, (4000, 6000)),
    _occ("快递分拣员", "分拣员 快递分拣 分拣 物流分拣", False, (4500, 7500)),
    _occ("保洁员", "保洁 清洁工 保洁阿姨 物业保洁", False, (4000, 5000)),
    _occ("保安员", "保安 门卫 安保 秩序维护员", False, (4000, 5500), "保安员证", 0.35),
    _occ("厨师", "厨工 炒菜师傅 帮厨 食堂厨师 大厨", True, (5000, 8500), HEALTH_CERT, 0.6),
    _occ("家政服务员", "家政 保姆 住家保姆 钟点工", False, (5000, 8000), HEALTH_CERT, 0.5),
    _occ("育婴员", "育婴师 月嫂 带小孩 育儿嫂", True, (6000, 9000), "育婴员证", 0.5),
    _occ("直播销售员", "主播 直播带货 带货主播 电商主播", False, (5000, 9000)),
    _occ("刺绣工", "刺绣 绣工 苗绣 布依族刺绣 手工刺绣", True, (4500, 7000)),
)}

# How common each skill is among seekers; most arrive without a trade.
SEEKER_SKILL_WEIGHTS: dict[str, int] = {
    "普工": 30, "操作工": 12, "装配工": 8, "电焊工": 6, "电工": 4, "钳工": 2, "数控操作工": 4, "注塑工": 5,
    "缝纫工": 6, "质检员": 3, "叉车司机": 4, "仓管员": 3, "包装工": 8, "快递分拣员": 6, "保洁员": 4,
    "保安员": 4, "厨师": 3, "家政服务员": 3, "育婴员": 2, "直播销售员": 2, "刺绣工": 3,
}

# Things people write under "skills" that name no occupation: the matcher's fuzzy fallback meets them.
FREE_TEXT_SKILLS = (
    "会开拖拉机", "种过烤烟", "养过牛羊", "会做布依族米酒", "开过农用三轮车", "砌墙", "在广东电子厂干过",
    "会用电脑打字", "做过木工", "会修摩托车", "采茶", "会说朝鲜语",
)
OTHER_CERTIFICATES = ("机动车驾驶证（C1）", "初中毕业证", "高中毕业证")

# Industries and the occupations they hire, most needed first.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "电器": ("普工", "装配工", "注塑工", "操作工", "质检员", "包装工", "电工", "仓管员", "叉车司机"),
    "服饰": ("缝纫工", "普工", "质检员", "包装工", "刺绣工", "仓管员"),
    "针织": ("缝纫工", "操作工", "包装工", "普工", "质检员"),
    "模具": ("数控操作工", "钳工", "注塑工", "电焊工", "普工"),
    "塑业": ("注塑工", "操作工", "普工", "包装工", "质检员", "叉车司机"),
    "精密机械": ("数控操作工", "钳工", "装配工", "操作工", "质检员", "电工"),
    "汽车零部件": ("操作工", "装配工", "数控操作工", "电焊工", "质检员", "叉车司机"),
    "五金": ("操作工", "普工", "电焊工", "包装工", "质检员"),
    "电子": ("普工", "装配工", "操作工", "质检员", "包装工"),
    "物流": ("快递分拣员", "叉车司机", "仓管员", "包装工", "普工"),
    "文具": ("普工", "注塑工", "包装工", "操作工", "质检员"),
    "食品": ("普工", "包装工", "操作工", "质检员", "厨师", "保洁员"),
    "石化设备": ("电焊工", "电工", "钳工", "操作工", "普工"),
    "物业服务": ("保洁员", "保安员", "电工", "厨师"),
    "家政服务": ("家政服务员", "育婴员", "保洁员", "厨师"),
    "电子商务": ("直播销售员", "包装工", "仓管员", "快递分拣员"),
}


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    name_prefixes: tuple[str, ...]
    industries: tuple[str, ...]
    towns: tuple[str, ...]
    # A box known to lie inside the district (seats of 海曙 and 江北 are 2 km apart, so not around the seat).
    box: tuple[float, float, float, float]  # lat_min, lat_max, lng_min, lng_max


DISTRICTS: tuple[District, ...] = (
    District("330203", "海曙区", ("宁波", "宁波海曙"), ("服饰", "电子商务", "家政服务", "物业服务"),
             ("集士港镇", "古林镇", "高桥镇", "石碶街道"), (29.81, 29.87, 121.42, 121.50)),
    District("330205", "江北区", ("宁波", "宁波江北"), ("精密机械", "电子", "食品"),
             ("慈城镇", "庄桥街道", "洪塘街道"), (29.91, 29.99, 121.47, 121.56)),
    District("330206", "北仑区", ("宁波北仑", "宁波"), ("物流", "模具", "汽车零部件"),
             ("大碶街道", "小港街道", "霞浦街道", "春晓街道"), (29.87, 29.93, 121.76, 121.88)),
    District("330211", "镇海区", ("宁波镇海", "宁波"), ("石化设备", "物流", "精密机械"),
             ("骆驼街道", "澥浦镇", "九龙湖镇"), (29.95, 30.00, 121.60, 121.70)),
    District("330212", "鄞州区", ("宁波", "宁波鄞州"), ("服饰", "电器", "物业服务", "电子商务"),
             ("姜山镇", "五乡镇", "邱隘镇", "云龙镇"), (29.76, 29.84, 121.55, 121.66)),
    District("330213", "奉化区", ("宁波奉化", "宁波"), ("汽车零部件", "服饰", "食品"),
             ("江口街道", "西坞街道", "尚田街道"), (29.62, 29.72, 121.33, 121.46)),
    District("330225", "象山县", ("象山", "宁波象山"), ("针织", "食品", "模具"),
             ("丹西街道", "西周镇", "石浦镇"), (29.40, 29.50, 121.80, 121.90)),
    District("330226", "宁海县", ("宁海", "宁海县"), ("文具", "模具", "五金"),
             ("梅林街道", "桥头胡街道", "西店镇"), (29.25, 29.33, 121.38, 121.47)),
    District("330281", "余姚市", ("余姚", "余姚市"), ("塑业", "电器", "五金"),
             ("阳明街道", "泗门镇", "马渚镇", "朗霞街道"), (30.00, 30.07, 121.10, 121.20)),
    District("330282", "慈溪市", ("慈溪", "慈溪市"), ("电器", "服饰", "五金"),
             ("周巷镇", "观海卫镇", "坎墩街道", "宗汉街道"), (30.15, 30.22, 121.18, 121.32)),
)

BRAND_CHARS = "华瑞恒达新盛宏远金鼎鑫泰隆兴博汇美润嘉诚丰源益康佳信德顺利宇腾创甬安"
ROADS = ("工业路", "兴业路", "创业大道", "科技路", "园区路", "滨海路", "开发大道")


@dataclass(frozen=True, slots=True)
class StationSpec:
    code: str
    county_code: str
    county_name: str


# One station per county with a pairing, then the other counties the programme recruits in most.
STATIONS: tuple[StationSpec, ...] = (
    StationSpec("QXN-ZF", "522325", "贞丰县"),
    StationSpec("QXN-YL", YILONG_CODE, "义龙新区"),
    StationSpec("QXN-PA", "522323", "普安县"),
    StationSpec("QXN-QL", "522324", "晴隆县"),
    StationSpec("YB-HL", "222406", "和龙市"),
    StationSpec("YB-YJ", "222401", "延吉市"),
    StationSpec("YB-HC", "222404", "珲春市"),
    StationSpec("YB-AT", "222426", "安图县"),
    StationSpec("QXN-XY", "522301", "兴义市"),
    StationSpec("QXN-XR", "522302", "兴仁市"),
    StationSpec("QXN-WM", "522326", "望谟县"),
    StationSpec("QXN-CH", "522327", "册亨县"),
    StationSpec("QXN-AL", "522328", "安龙县"),
    StationSpec("YB-DH", "222403", "敦化市"),
)

# Where seekers come from. The article counts 3,182 workers from Qianxinan and 164 from Yanbian (95% to
# 5%); Qiandongnan is named once, so it gets a small share.
ORIGIN_WEIGHTS: dict[str, float] = {
    "522325": 15.0, "522324": 14.0, "522323": 12.5, YILONG_CODE: 10.0, "522302": 9.5, "522326": 9.0,
    "522327": 8.5, "522328": 8.5, "522301": 7.5,
    "222401": 1.5, "222406": 1.0, "222404": 0.75, "222426": 0.75, "222403": 0.5, "222402": 0.2,
    "222405": 0.15, "222424": 0.15,
    "522601": 0.4, "522633": 0.3, "522632": 0.3, "522631": 0.3, "522634": 0.2,
}

# The six digits an ID number carries for places whose own code is not one an ID can hold: 义龙新区 was
# carved out of 兴义, and 兴仁 issued IDs as 兴仁县 (522322) until it became a city in 2018.
ID_AREA_CODES: dict[str, str] = {YILONG_CODE: "522301", "522302": "522322"}

# Counties without a station register at the nearest one that recruits for the same programme.
FALLBACK_STATION_REGION: dict[str, str] = {"222400": "222401", "522600": "522301"}

SURNAMES: dict[str, str] = {
    # Buyi and Miao surnames are frequent in Qianxinan; Korean-Chinese ones in Yanbian.
    "522300": "王黄韦罗陆杨吴李张刘陈龙岑班梁周胡郭何潘蒙卢王黄罗杨",
    "222400": "金朴李崔郑姜赵韩尹申全张王刘金朴李崔",
    "522600": "杨吴龙石潘王欧张姜李杨吴",
    # Employers' HR contacts are mostly local people.
    "330200": "王陈张李周徐胡应林俞邵孙",
}
MALE_CHARS = "伟强军勇明华平刚杰涛超斌浩鹏辉林波磊海龙文飞俊德福贵荣忠兴江峰成哲浩"
FEMALE_CHARS = "芳娟敏静丽艳玲梅霞燕红兰凤琴英秀云丹萍莉婷雪倩佳娜莹春花桂珍"
