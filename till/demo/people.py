"""The demo's people: its staff, the fixed demo members (one per tier, see `till.demo`) and the
names, mobile prefixes and family notes its other members are drawn from."""

from __future__ import annotations

from app.domain.staff import Role
from app.domain.tiers import Tier

DEMO_STAFF: tuple[tuple[str, str, Role, str], ...] = (
    ("1001", "李娜 Li Na", Role.CASHIER, "1234"),
    ("1002", "陈静 Chen Jing", Role.CASHIER, "2345"),
    ("2001", "王伟 Wang Wei", Role.SUPERVISOR, "5678"),
    ("3001", "赵敏 Zhao Min", Role.MANAGER, "9999"),
)

# Fixed demo numbers (see the module docstring), by the tier the demo gives them.
KNOWN_MEMBERS: tuple[tuple[str, Tier], ...] = (
    ("+8613800138000", Tier.BLACK),
    ("+8613800138001", Tier.GOLD),
    ("+8613800138002", Tier.SILVER),
    ("+8613800138003", Tier.BASIC),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建林琳晨浩宇欣怡梓涵子轩雨萱思远佳琪"
    "嘉怡一诺子墨若汐梦瑶俊杰文博诗涵天佑晓雯志强海燕春梅秋菊宏伟永红丹丹婷婷晶晶磊磊"
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
FAMILIES = (
    "已婚，一个孩子（3岁）",
    "已婚，两个孩子",
    "单身",
    "三口之家",
    "与父母同住",
    "新婚",
    "有宝宝（8个月）",
    "退休，老两口",
    "养猫",
    "养狗",
)
