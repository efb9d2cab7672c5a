"""A realistic demo store: products, promotions, staff, members, coupons and past sales.

`seed_demo(ctx, members=2000, sales=400, seed=...)` fills an empty store (`till demo seed`).
The same seed gives the same store (the same catalogue, members, baskets, coupons and
timeline); only the UUIDv7 ids, signatures and hashes differ from run to run.

What goes through the real use cases, with the clock moved back to the moment it happened:

* staff: `app.services.staff.add_staff` (PINs hashed with the till's Argon2 hasher);
* past sales: `app.services.checkout.complete_sale` (pricing, coupons, points redemption,
  ledger, tier, audit, outbox exactly as at the till);
* refunds: `app.services.refunds.refund_sale` (with a supervisor's or manager's PIN);
* manual points adjustments: `app.services.points.adjust_points`;
* points expiry: `app.services.points.expire_due` at the end (points earned in the year
  before last are expired, as the daily job would have done).

Members are registered through a **bulk path** (`_register_batch`), because 2000 calls to
`register_member` (one transaction and one fsync each, plus the member panel it returns)
take longer than a demo should. The bulk path writes the same rows `register_member` writes:
the member (consent recorded, registration time in the past), the welcome coupon, a
`member.register` audit entry chained to the log (`app.domain.audit.next_record`) and a
`member.registered` outbox event with the same payload and the terminal's next outbox
sequence number. It writes them in time order between the sales, so the audit log and the
outbox stay in the order things happened.

Other coupons (birthday, wake-up, cross-sell, free gift, double points, compensation and the
bearer campaign codes) reach a real till from the server by sync; here they are written as
coupon rows, as sync would write them.

Known demo staff (login / PIN): cashier 1001 / 1234, cashier 1002 / 2345, supervisor
2001 / 5678, manager 3001 / 9999.

Known demo members (fixed demo numbers, one per tier, so that a demo can start from a
typed phone number): 138 0013 8000 (black), 138 0013 8001 (gold), 138 0013 8002 (silver),
138 0013 8003 (basic, registered today with an unused welcome coupon).
"""

from __future__ import annotations

import random
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import Any

from sqlalchemy import func, insert, select, update

from app.domain.audit import AuditRecord, next_record
from app.domain.coupons import new_coupon_code
from app.domain.ids import MemberId, RefundId, SaleId, StaffId, new_id
from app.domain.members import InvalidPhone, make_card_number, mask_phone, normalize_phone
from app.domain.staff import Role
from app.domain.tiers import Tier
from app.program_file import PROGRAM_NAME, write_program_file
from app.services.checkout import Tender
from app.services.context import TillContext
from app.services.errors import Refused
from app.services.outbox import SCHEMA_VERSION
from app.store import orm

DEFAULT_SEED = 20261123

# ------------------------------------------------------------------------------ catalogue

# category -> (zh name, en name, price in fen). Prices are shelf prices in a mainland
# supermarket; the barcodes are made below (valid EAN-13, Chinese GS1 prefixes 690-699).
CATALOGUE: dict[str, tuple[tuple[str, str, int], ...]] = {
    "dairy": (
        ("伊利纯牛奶 250ml×12", "Yili Pure Milk 250ml x12", 4290),
        ("伊利金典有机纯牛奶 250ml×12", "Yili Satine Organic Milk 250ml x12", 6990),
        ("蒙牛特仑苏纯牛奶 250ml×12", "Mengniu Deluxe Milk 250ml x12", 6590),
        ("蒙牛纯甄酸奶 200g×10", "Mengniu Just Yogurt 200g x10", 5490),
        ("光明鲜牛奶 950ml", "Bright Fresh Milk 950ml", 1690),
        ("光明莫斯利安酸奶 200g×6", "Bright Momchilovtsi Yogurt 200g x6", 3290),
        ("三元极致有机鲜奶 900ml", "Sanyuan Organic Fresh Milk 900ml", 2390),
        ("君乐宝简醇0蔗糖酸奶 150g×8", "Junlebao Zero-Sugar Yogurt 150g x8", 2980),
        ("安佳无盐黄油 227g", "Anchor Unsalted Butter 227g", 3290),
        ("妙可蓝多奶酪棒 18支", "Milkground Cheese Sticks 18 pcs", 4990),
        ("卡士餐后一小时酸奶 100g×3", "Classy Kiss Yogurt 100g x3", 1650),
        ("简爱原味裸酸奶 135g×6", "Simplove Plain Yogurt 135g x6", 3690),
        ("味全每日C橙汁 300ml", "Weichuan Daily C Orange Juice 300ml", 690),
        ("光明优倍高品质鲜奶 1.5L", "Bright Youbei Fresh Milk 1.5L", 2490),
        ("蒙牛真果粒 250g×12", "Mengniu Fruit Bits Milk 250g x12", 3990),
        ("伊利安慕希希腊酸奶 205g×12", "Yili Ambrosial Greek Yogurt 205g x12", 6490),
        ("新希望今日鲜奶铺 255ml", "New Hope Today Fresh Milk 255ml", 790),
        ("乐纯三三倍希腊酸奶 135g", "Lechun Triple Greek Yogurt 135g", 1290),
        ("总统淡奶油 1L", "President Whipping Cream 1L", 5890),
        ("百吉福芝士片 166g", "Bongrain Cheese Slices 166g", 2590),
        ("旺仔牛奶 245ml×12", "Want Want Milk 245ml x12", 5990),
        ("认养一头牛纯牛奶 250ml×12", "Adopt a Cow Pure Milk 250ml x12", 5290),
    ),
    "produce": (
        ("山东红富士苹果 2.5kg", "Shandong Fuji Apples 2.5kg", 3990),
        ("海南香蕉 1kg", "Hainan Bananas 1kg", 899),
        ("赣南脐橙 2.5kg", "Gannan Navel Oranges 2.5kg", 3590),
        ("新疆阿克苏冰糖心苹果 5kg", "Aksu Rock-Sugar Apples 5kg", 8990),
        ("智利车厘子 JJ级 1kg", "Chilean Cherries JJ 1kg", 12800),
        ("丹东草莓 500g", "Dandong Strawberries 500g", 4990),
        ("阳光玫瑰葡萄 500g", "Shine Muscat Grapes 500g", 3990),
        ("佳沛新西兰金奇异果 6个", "Zespri SunGold Kiwifruit x6", 4590),
        ("云南蓝莓 125g×4", "Yunnan Blueberries 125g x4", 5990),
        ("泰国金枕榴莲 约2.5kg", "Thai Monthong Durian approx. 2.5kg", 19900),
        ("有机西兰花 500g", "Organic Broccoli 500g", 1290),
        ("山东大葱 1kg", "Shandong Scallions 1kg", 690),
        ("小番茄 500g", "Cherry Tomatoes 500g", 990),
        ("云南小土豆 2kg", "Yunnan Baby Potatoes 2kg", 1190),
        ("东北五常鲜玉米 4根", "Wuchang Sweet Corn x4", 1590),
        ("上海青 400g", "Shanghai Bok Choy 400g", 490),
        ("铁棍山药 1kg", "Iron-Stick Yam 1kg", 1990),
        ("香菇 300g", "Shiitake Mushrooms 300g", 1290),
        ("胡萝卜 1kg", "Carrots 1kg", 590),
        ("牛油果 4个", "Avocados x4", 2990),
        ("生菜 300g", "Lettuce 300g", 450),
        ("黄瓜 500g", "Cucumbers 500g", 590),
    ),
    "meat": (
        ("澳洲谷饲西冷牛排 200g", "Australian Grain-Fed Sirloin Steak 200g", 6990),
        ("澳洲和牛M5眼肉牛排 250g", "Australian Wagyu M5 Ribeye 250g", 29800),
        ("科尔沁原切牛腱子 1kg", "Horqin Beef Shank 1kg", 11800),
        ("内蒙古羔羊肉卷 500g", "Inner Mongolia Lamb Rolls 500g", 5990),
        ("黑猪五花肉 500g", "Black Pork Belly 500g", 3590),
        ("精品猪里脊 500g", "Pork Tenderloin 500g", 2790),
        ("黑猪肋排 1kg", "Black Pork Spare Ribs 1kg", 7990),
        ("圣农鸡翅中 1kg", "Sunner Chicken Wings 1kg", 4990),
        ("凤祥鸡胸肉 1kg", "Fovo Chicken Breast 1kg", 2990),
        ("三黄鸡 1.2kg", "Three-Yellow Chicken 1.2kg", 4590),
        ("金华火腿切片 200g", "Jinhua Ham Slices 200g", 4990),
        ("双汇王中王火腿肠 10支", "Shuanghui Premium Ham Sausage x10", 1990),
        ("皇上皇广式腊肠 500g", "Huangshanghuang Cantonese Sausage 500g", 5890),
        ("荷美尔经典培根 150g", "Hormel Classic Bacon 150g", 2590),
        ("恒都牛腩块 1kg", "Hengdu Beef Brisket 1kg", 9890),
        ("宁夏滩羊羊排 1kg", "Ningxia Tan Lamb Chops 1kg", 12800),
        ("土鸡蛋 30枚", "Free-Range Eggs x30", 3990),
        ("德青源鲜鸡蛋 20枚", "DQY Fresh Eggs x20", 2490),
        ("正大鸡腿 1kg", "CP Chicken Drumsticks 1kg", 2590),
        ("澳洲安格斯菲力牛排 180g", "Australian Angus Fillet 180g", 8990),
    ),
    "seafood": (
        ("厄瓜多尔白虾 1kg", "Ecuadorian White Shrimp 1kg", 6990),
        ("阿根廷红虾 2kg", "Argentine Red Shrimp 2kg", 15900),
        ("大连鲜活扇贝 1kg", "Dalian Live Scallops 1kg", 3990),
        ("挪威三文鱼刺身 200g", "Norwegian Salmon Sashimi 200g", 6990),
        ("舟山带鱼段 1kg", "Zhoushan Hairtail 1kg", 5990),
        ("鲜活大闸蟹 公4两×4只", "Live Hairy Crabs 200g x4", 26800),
        ("澳洲龙虾 约800g", "Australian Lobster approx. 800g", 59800),
        ("阿拉斯加帝王蟹 约1.5kg", "Alaskan King Crab approx. 1.5kg", 88800),
        ("鲜活鲈鱼 约600g", "Live Sea Bass approx. 600g", 3590),
        ("黄花鱼 2条", "Yellow Croaker x2", 4590),
        ("鱿鱼圈 500g", "Squid Rings 500g", 2990),
        ("国联水产黑虎虾 400g", "Guolian Black Tiger Prawns 400g", 7990),
        ("獐子岛即食海参 500g", "Zhangzidao Ready Sea Cucumber 500g", 49800),
        ("鳕鱼块 400g", "Cod Portions 400g", 8990),
        ("花蛤 1kg", "Manila Clams 1kg", 1990),
        ("青口贝 1kg", "Green Mussels 1kg", 3990),
        ("蒲烧鳗鱼 300g", "Kabayaki Eel 300g", 6990),
        ("海苔 4g×20包", "Roasted Seaweed 4g x20", 2590),
        ("虾仁 250g", "Peeled Shrimp 250g", 3990),
        ("北极甜虾 500g", "Arctic Sweet Shrimp 500g", 5990),
    ),
    "grain": (
        ("五常稻花香大米 5kg", "Wuchang Daohuaxiang Rice 5kg", 8990),
        ("金龙鱼优质东北大米 5kg", "Arawana Northeast Rice 5kg", 3990),
        ("十月稻田长粒香大米 10kg", "SOS Long-Grain Rice 10kg", 7990),
        ("泰国茉莉香米 5kg", "Thai Jasmine Rice 5kg", 5990),
        ("香满园高筋面粉 5kg", "Xiangmanyuan Bread Flour 5kg", 3290),
        ("陈克明挂面 1kg", "Chenkeming Dried Noodles 1kg", 1390),
        ("金沙河龙须面 1kg", "Jinshahe Fine Noodles 1kg", 990),
        ("桂格即食燕麦片 1kg", "Quaker Instant Oats 1kg", 2990),
        ("东北小米 2.5kg", "Northeast Millet 2.5kg", 3590),
        ("红豆 500g", "Red Beans 500g", 1090),
        ("有机黑米 1kg", "Organic Black Rice 1kg", 2490),
        ("糯米 2kg", "Glutinous Rice 2kg", 2290),
        ("绿豆 500g", "Mung Beans 500g", 990),
        ("意大利面 500g", "Barilla Spaghetti 500g", 1590),
        ("湾仔码头水饺 720g", "Wanchai Ferry Dumplings 720g", 3290),
        ("三全汤圆 1kg", "Sanquan Glutinous Rice Balls 1kg", 2590),
        ("白象方便面 5连包", "Baixiang Instant Noodles x5", 1590),
        ("康师傅红烧牛肉面 5连包", "Master Kong Braised Beef Noodles x5", 1690),
        ("今麦郎一菜一面 5连包", "Jinmailang Noodles x5", 1490),
        ("南方黑芝麻糊 600g", "Nanfang Black Sesame Paste 600g", 2290),
        ("西麦纯燕麦片 1.48kg", "Seamild Rolled Oats 1.48kg", 3990),
    ),
    "oil_condiments": (
        ("金龙鱼黄金比例调和油 5L", "Arawana Blended Oil 5L", 6990),
        ("鲁花5S压榨一级花生油 5L", "Luhua 5S Peanut Oil 5L", 15990),
        ("福临门非转基因大豆油 5L", "Fortune Non-GMO Soybean Oil 5L", 5990),
        ("欧丽薇兰特级初榨橄榄油 750ml", "Olivoilà Extra Virgin Olive Oil 750ml", 8990),
        ("多力葵花籽油 5L", "Dolly Sunflower Oil 5L", 9990),
        ("海天味极鲜酱油 1.9L", "Haday Premium Soy Sauce 1.9L", 2690),
        ("李锦记薄盐生抽 500ml", "Lee Kum Kee Less Salt Soy Sauce 500ml", 1490),
        ("李锦记旧庄蚝油 510g", "Lee Kum Kee Oyster Sauce 510g", 1290),
        ("千禾零添加酱油 1L", "Qianhe Zero-Additive Soy Sauce 1L", 2390),
        ("恒顺镇江香醋 500ml", "Hengshun Zhenjiang Vinegar 500ml", 990),
        ("老干妈风味豆豉油辣椒 280g", "Lao Gan Ma Chili Crisp 280g", 1190),
        ("郫县豆瓣酱 500g", "Pixian Broad Bean Paste 500g", 1290),
        ("太太乐鸡精 454g", "Totole Chicken Bouillon 454g", 1690),
        ("中盐加碘精制盐 400g", "China Salt Iodised Salt 400g", 300),
        ("太古优级白砂糖 1kg", "Taikoo White Sugar 1kg", 1290),
        ("王守义十三香 45g", "Wang Shouyi 13 Spices 45g", 550),
        ("海天黄豆酱 800g", "Haday Soybean Paste 800g", 1390),
        ("丘比沙拉酱 200g", "Kewpie Mayonnaise 200g", 1590),
        ("亨氏番茄酱 320g", "Heinz Tomato Ketchup 320g", 1090),
        ("鲁花芝麻香油 400ml", "Luhua Sesame Oil 400ml", 3190),
        ("六月鲜轻盐酱油 1L", "Liuyuexian Light Salt Soy Sauce 1L", 2190),
        ("红烧汁 400ml", "Braising Sauce 400ml", 1090),
    ),
    "snacks": (
        ("三只松鼠每日坚果 750g", "Three Squirrels Daily Nuts 750g", 13900),
        ("良品铺子猪肉脯 200g", "Bestore Pork Jerky 200g", 3990),
        ("乐事原味薯片 135g", "Lay's Classic Potato Chips 135g", 990),
        ("奥利奥原味夹心饼干 388g", "Oreo Original Cookies 388g", 1890),
        ("旺旺雪饼 520g", "Want Want Rice Crackers 520g", 2190),
        ("德芙丝滑牛奶巧克力 252g", "Dove Silky Milk Chocolate 252g", 4590),
        ("费列罗榛果巧克力 T30", "Ferrero Rocher T30", 12800),
        ("好丽友派 12枚", "Orion Choco Pie x12", 2390),
        ("卫龙大面筋 106g", "Weilong Spicy Gluten Strips 106g", 590),
        ("洽洽香瓜子 308g", "Chacha Sunflower Seeds 308g", 1590),
        ("百草味芒果干 120g", "Be&Cheery Dried Mango 120g", 1990),
        ("徐福记酥心糖 500g", "Hsu Fu Chi Crispy Candy 500g", 3290),
        ("大白兔奶糖 454g", "White Rabbit Creamy Candy 454g", 3590),
        ("康师傅3+2苏打夹心饼干 375g", "Master Kong 3+2 Sandwich Crackers 375g", 1490),
        ("达利园法式软面包 400g", "Daliyuan French Soft Bread 400g", 1890),
        ("口水娃兰花豆 500g", "Koushuiwa Fried Broad Beans 500g", 1990),
        ("来伊份鸭脖 150g", "Laiyifen Spicy Duck Neck 150g", 2590),
        ("溜溜梅 160g", "Liuliumei Plum Snack 160g", 1290),
        ("可比克薯片 105g", "Copico Potato Chips 105g", 690),
        ("士力架花生夹心巧克力 20g×10", "Snickers 20g x10", 2490),
        ("稻香村京八件 1.2kg", "Daoxiangcun Beijing Pastry Gift Box 1.2kg", 13800),
        ("良品铺子每日坚果礼盒 30袋", "Bestore Daily Nuts Gift Box x30", 16800),
    ),
    "drinks": (
        ("农夫山泉饮用天然水 550ml×24", "Nongfu Spring Water 550ml x24", 3590),
        ("怡宝纯净水 555ml×24", "C'estbon Pure Water 555ml x24", 3190),
        ("可口可乐 330ml×24", "Coca-Cola 330ml x24", 5490),
        ("百事可乐 2L", "Pepsi 2L", 790),
        ("元气森林白桃苏打气泡水 480ml×15", "Genki Forest Peach Sparkling Water 480ml x15", 7350),
        ("东方树叶茉莉花茶 500ml×15", "Oriental Leaf Jasmine Tea 500ml x15", 7350),
        ("康师傅冰红茶 500ml×15", "Master Kong Iced Black Tea 500ml x15", 4350),
        ("王老吉凉茶 310ml×24", "Wong Lo Kat Herbal Tea 310ml x24", 7200),
        ("红牛维生素功能饮料 250ml×24", "Red Bull 250ml x24", 14400),
        ("六个核桃 240ml×20", "Six Walnuts Walnut Milk 240ml x20", 6990),
        ("椰树椰汁 245ml×24", "Coconut Palm Coconut Milk 245ml x24", 8990),
        ("雀巢速溶咖啡1+2原味 30条", "Nescafe 1+2 Original x30", 5490),
        ("三顿半精品速溶咖啡 24颗", "Saturnbird Instant Coffee x24", 16900),
        ("立顿红茶包 100包", "Lipton Yellow Label Tea x100", 4990),
        ("农夫果园混合果汁 1.5L", "Nongfu Orchard Mixed Juice 1.5L", 1390),
        ("汇源100%橙汁 1L", "Huiyuan 100% Orange Juice 1L", 1590),
        ("青岛啤酒经典 500ml×12", "Tsingtao Classic Beer 500ml x12", 6990),
        ("雪花勇闯天涯 500ml×12", "Snow Brave the World Beer 500ml x12", 5190),
        ("百威啤酒 500ml×18", "Budweiser 500ml x18", 10900),
        ("燕京U8 500ml×12", "Yanjing U8 500ml x12", 5990),
        ("维他柠檬茶 250ml×24", "Vita Lemon Tea 250ml x24", 6590),
        ("统一阿萨姆奶茶 500ml×15", "Uni-President Assam Milk Tea 500ml x15", 6000),
    ),
    "wine_spirits": (
        ("贵州茅台 飞天53度 500ml", "Kweichow Moutai Feitian 53% 500ml", 299900),
        ("五粮液 第八代 52度 500ml", "Wuliangye 8th Gen 52% 500ml", 109900),
        ("泸州老窖国窖1573 52度 500ml", "Luzhou Laojiao Guojiao 1573 52% 500ml", 98900),
        ("洋河梦之蓝M6+ 52度 550ml", "Yanghe Dream Blue M6+ 52% 550ml", 69900),
        ("剑南春水晶剑 52度 500ml", "Jiannanchun Crystal 52% 500ml", 43900),
        ("汾酒青花20 53度 500ml", "Fenjiu Qinghua 20 53% 500ml", 43900),
        ("牛栏山二锅头 56度 500ml", "Niulanshan Erguotou 56% 500ml", 1590),
        ("江小白 40度 100ml", "Jiang Xiaobai 40% 100ml", 2290),
        ("拉菲传奇波尔多干红 750ml", "Lafite Légende Bordeaux Red 750ml", 26800),
        ("奔富Bin389干红 750ml", "Penfolds Bin 389 750ml", 69900),
        ("张裕解百纳干红 750ml", "Changyu Cabernet Gernischt 750ml", 12800),
        ("长城五星赤霞珠干红 750ml", "Great Wall Five Star Cabernet 750ml", 9800),
        ("黄尾袋鼠西拉红葡萄酒 750ml", "Yellow Tail Shiraz 750ml", 7900),
        ("轩尼诗VSOP干邑 700ml", "Hennessy VSOP Cognac 700ml", 59800),
        ("尊尼获加黑牌 700ml", "Johnnie Walker Black Label 700ml", 29900),
        ("古越龙山绍兴花雕酒 五年 500ml", "Guyuelongshan Shaoxing Huadiao 5yr 500ml", 4590),
        ("锐澳鸡尾酒 330ml×6", "RIO Cocktail 330ml x6", 4690),
        ("酩悦香槟 750ml", "Moët & Chandon Brut 750ml", 46800),
        ("君度橙酒 700ml", "Cointreau 700ml", 21800),
        ("郎酒红花郎10 53度 500ml", "Langjiu Honghualang 10 53% 500ml", 44900),
        ("习酒窖藏1988 53度 500ml", "Xijiu Cellar 1988 53% 500ml", 79900),
    ),
    "baby": (
        ("爱他美卓萃婴儿奶粉3段 900g", "Aptamil Profutura Stage 3 900g", 36800),
        ("飞鹤星飞帆幼儿奶粉3段 700g", "Feihe Starship Stage 3 700g", 26800),
        ("惠氏启赋有机奶粉3段 810g", "Wyeth Illuma Organic Stage 3 810g", 39800),
        ("美赞臣蓝臻幼儿奶粉3段 820g", "Enfamil Enspire Stage 3 820g", 39800),
        ("君乐宝至臻奶粉3段 800g", "Junlebao Supreme Stage 3 800g", 23800),
        ("帮宝适一级帮纸尿裤 L 52片", "Pampers Ichiban Diapers L x52", 15900),
        ("花王妙而舒纸尿裤 M 64片", "Merries Diapers M x64", 13900),
        ("好奇心钻装拉拉裤 XL 36片", "Huggies Platinum Pull-Ups XL x36", 12900),
        ("全棉时代婴儿棉柔巾 100抽×6", "PurCotton Baby Cotton Tissues 100 x6", 8990),
        ("贝亲婴儿湿巾 80片×3", "Pigeon Baby Wipes 80 x3", 4990),
        ("嘉宝婴儿米粉 250g", "Gerber Baby Rice Cereal 250g", 5890),
        ("亨氏婴儿面条 336g", "Heinz Baby Noodles 336g", 3290),
        ("小皮有机苹果泥 90g×6", "Little Freddie Organic Apple Puree 90g x6", 8990),
        ("贝亲宽口径玻璃奶瓶 240ml", "Pigeon Wide-Neck Glass Bottle 240ml", 13800),
        ("强生婴儿润肤露 200ml", "Johnson's Baby Lotion 200ml", 3690),
        ("红色小象婴儿洗发沐浴露 530ml", "Red Elephant Baby 2-in-1 Wash 530ml", 6990),
        ("戴可思婴儿金盏花面霜 50g", "Dexter Baby Calendula Cream 50g", 9900),
        ("英氏婴儿磨牙棒 64g", "Engnice Baby Teething Sticks 64g", 3590),
        ("旺旺宝宝贝米饼 50g×3", "Want Want Baby Rice Cakes 50g x3", 2590),
        ("安儿乐小轻芯纸尿裤 L 60片", "Anerle Light Diapers L x60", 9990),
    ),
    "household": (
        ("维达超韧抽纸 3层100抽×24包", "Vinda Facial Tissues 3-ply 100 x24", 6990),
        ("清风原木卷纸 4层140g×27卷", "Breeze Toilet Roll 4-ply x27", 5990),
        ("心相印湿厕纸 40片×3", "Hearttex Flushable Wipes 40 x3", 2990),
        ("蓝月亮深层洁净洗衣液 3kg×2", "Blue Moon Deep Clean Detergent 3kg x2", 8990),
        ("汰渍洁净薰香洗衣粉 3kg", "Tide Fresh Laundry Powder 3kg", 4590),
        ("立白洗洁精 1.45kg×2", "Liby Dishwashing Liquid 1.45kg x2", 2990),
        ("奥妙除菌洗衣凝珠 52颗", "OMO Antibacterial Pods x52", 7990),
        ("威猛先生厨房重油污净 500g×2", "Mr Muscle Kitchen Degreaser 500g x2", 3590),
        ("滴露消毒液 1.5L", "Dettol Disinfectant 1.5L", 7990),
        ("金纺衣物护理剂 3L", "Comfort Fabric Softener 3L", 5490),
        ("妙洁保鲜袋 中号 200只", "Miaojie Food Bags Medium x200", 2590),
        ("妙洁一次性保鲜膜 30cm×40m", "Miaojie Cling Film 30cm x40m", 2190),
        ("佳能垃圾袋 45×50cm 150只", "Jianeng Bin Bags 45x50cm x150", 1990),
        ("3M思高百洁布 10片", "3M Scotch-Brite Scrub Pads x10", 1990),
        ("南孚碱性电池5号 12粒", "Nanfu Alkaline Batteries AA x12", 4590),
        ("欧普LED灯泡 9W 3只", "Opple LED Bulbs 9W x3", 3990),
        ("美的电饭煲 4L", "Midea Rice Cooker 4L", 39900),
        ("苏泊尔不粘炒锅 30cm", "Supor Non-Stick Wok 30cm", 22900),
        ("乐扣乐扣玻璃保鲜盒 3件套", "Lock&Lock Glass Food Boxes x3", 12900),
        ("双枪竹筷 10双", "Shuangqiang Bamboo Chopsticks x10", 1590),
        ("洁柔古龙水手帕纸 18包", "C&S Cologne Pocket Tissues x18", 1290),
    ),
    "personal_care": (
        ("高露洁全面防蛀牙膏 140g×3", "Colgate Total Toothpaste 140g x3", 3590),
        ("云南白药牙膏 180g", "Yunnan Baiyao Toothpaste 180g", 3890),
        ("舒适达抗敏感牙膏 120g", "Sensodyne Sensitive Toothpaste 120g", 4990),
        ("飞利浦声波电动牙刷 HX6730", "Philips Sonicare HX6730", 39900),
        ("海飞丝去屑洗发露 750ml", "Head & Shoulders Shampoo 750ml", 6990),
        ("潘婷丝质顺滑护发素 750ml", "Pantene Silky Conditioner 750ml", 6590),
        ("阿道夫精油洗发水 800ml", "Adolph Essential Oil Shampoo 800ml", 9900),
        ("多芬滋养美肤沐浴乳 1kg", "Dove Nourishing Body Wash 1kg", 5990),
        ("舒肤佳纯白清香香皂 125g×3", "Safeguard Pure White Soap 125g x3", 1590),
        ("妮维雅男士控油洁面乳 150g", "Nivea Men Oil Control Cleanser 150g", 4990),
        ("大宝SOD蜜 200ml", "Dabao SOD Lotion 200ml", 2290),
        ("百雀羚水嫩倍现保湿霜 50g", "Pechoin Hydrating Cream 50g", 8900),
        ("自然堂雪域精粹面膜 5片", "Chando Himalaya Masks x5", 6900),
        ("护舒宝日用卫生巾 10片×3", "Whisper Day Pads x10 x3", 3990),
        ("苏菲超熟睡夜用卫生巾 8片×3", "Sofy Overnight Pads x8 x3", 4590),
        ("吉列锋隐致护剃须刀 1刀架2刀头", "Gillette Fusion Razor + 2 Blades", 8900),
        ("曼秀雷敦润唇膏 3.5g", "Mentholatum Lip Balm 3.5g", 2290),
        ("六神花露水 195ml", "Liushen Floral Water 195ml", 1690),
        ("欧莱雅男士劲能洁面 100ml", "L'Oreal Men Hydra Energetic Cleanser 100ml", 6900),
        ("蓝月亮芦荟抑菌洗手液 500g", "Blue Moon Aloe Hand Wash 500g", 1990),
        ("薇诺娜舒敏保湿特护霜 50g", "Winona Soothing Moisture Cream 50g", 26800),
    ),
    "frozen": (
        ("思念金牌虾仁水饺 600g", "Synear Gold Shrimp Dumplings 600g", 3290),
        ("三全灌汤小笼包 450g", "Sanquan Soup Buns 450g", 2290),
        ("安井鱼丸 400g", "Anjoy Fish Balls 400g", 1590),
        ("安井冻品先生撒尿牛丸 500g", "Anjoy Beef Balls 500g", 2690),
        ("正大鸡肉肠 500g", "CP Chicken Sausages 500g", 2490),
        ("必品阁王饺子 490g", "Bibigo Mandu Dumplings 490g", 3690),
        ("千味央厨油条 720g", "Qianwei Frozen Youtiao 720g", 1990),
        ("广州酒家虾饺皇 300g", "Guangzhou Restaurant Har Gow 300g", 3590),
        ("大希地整切牛排套餐 10片", "Dashidi Steak Pack x10", 11900),
        ("哈根达斯香草冰淇淋 392g", "Häagen-Dazs Vanilla Ice Cream 392g", 8900),
        ("钟薛高丝绒可可雪糕 6片", "Chicecream Velvet Cocoa Bars x6", 7800),
        ("伊利巧乐兹雪糕 6支", "Yili Qiaolezi Ice Cream Bars x6", 2490),
        ("蒙牛随变雪糕 8支", "Mengniu Suibian Cones x8", 2990),
        ("和路雪可爱多 6支", "Wall's Cornetto x6", 3290),
        ("湾仔码头上海菜肉大馄饨 480g", "Wanchai Ferry Shanghai Wontons 480g", 2990),
        ("科尔沁冷冻牛排 1kg", "Horqin Frozen Steaks 1kg", 9900),
        ("速冻玉米粒 500g", "Frozen Sweet Corn 500g", 990),
        ("冷冻薯条 1kg", "Frozen French Fries 1kg", 2290),
        ("龙凤黑芝麻汤圆 400g", "Longfeng Black Sesame Tangyuan 400g", 1590),
        ("思念手抓饼 900g", "Synear Scallion Pancakes 900g", 2490),
    ),
    "bakery": (
        ("桃李天然酵母面包 600g", "Taoli Natural Yeast Bread 600g", 1490),
        ("宾堡切片吐司 400g", "Bimbo Sliced Toast 400g", 1290),
        ("曼可顿全麦切片面包 400g", "Mankattan Wholemeal Bread 400g", 1490),
        ("现烤法棍", "Fresh-Baked Baguette", 1200),
        ("现烤牛角包 4个", "Fresh-Baked Croissants x4", 2400),
        ("现烤肉松面包 4个", "Fresh-Baked Pork Floss Buns x4", 2000),
        ("提拉米苏蛋糕 6寸", "Tiramisu Cake 6-inch", 12800),
        ("黑森林蛋糕 8寸", "Black Forest Cake 8-inch", 19800),
        ("生日鲜奶蛋糕 8寸", "Fresh Cream Birthday Cake 8-inch", 16800),
        ("蛋黄酥 6枚", "Egg Yolk Pastries x6", 3600),
        ("瑞士卷 4枚", "Swiss Rolls x4", 2200),
        ("老婆饼 6枚", "Wife Cakes x6", 2400),
        ("葡式蛋挞 6枚", "Portuguese Egg Tarts x6", 3000),
        ("华美月饼礼盒 8枚", "Huamei Mooncake Gift Box x8", 19800),
        ("美心流心奶黄月饼 8枚", "Maxim's Custard Mooncakes x8", 39800),
        ("面包新语芝士蛋糕 2块", "BreadTalk Cheesecake x2", 2800),
        ("贝果 4个", "Bagels x4", 1800),
        ("全麦欧包", "Wholemeal European Loaf", 1800),
        ("麻薯面包 4个", "Mochi Buns x4", 1600),
        ("泸溪河桃酥 6枚", "Luxihe Walnut Cookies x6", 2000),
    ),
}

CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "dairy": ("乳品", "Dairy"),
    "produce": ("生鲜果蔬", "Fresh produce"),
    "meat": ("肉禽蛋", "Meat & eggs"),
    "seafood": ("水产海鲜", "Seafood"),
    "grain": ("米面粮油", "Rice, flour & noodles"),
    "oil_condiments": ("食用油调味", "Oil & condiments"),
    "snacks": ("休闲零食", "Snacks"),
    "drinks": ("饮料酒水", "Drinks"),
    "wine_spirits": ("酒类", "Wine & spirits"),
    "baby": ("母婴", "Baby"),
    "household": ("家居清洁", "Household"),
    "personal_care": ("个人护理", "Personal care"),
    "frozen": ("冷冻食品", "Frozen"),
    "bakery": ("烘焙", "Bakery"),
}

# How often a category turns up in an everyday basket.
_EVERYDAY_WEIGHT = {
    "dairy": 9, "produce": 10, "meat": 6, "seafood": 3, "grain": 5, "oil_condiments": 4,
    "snacks": 7, "drinks": 8, "wine_spirits": 1, "baby": 2, "household": 4, "personal_care": 3,
    "frozen": 4, "bakery": 5,
}
_PREMIUM = ("wine_spirits", "seafood", "meat", "baby", "personal_care", "household")


def ean13_check_digit(first12: str) -> int:
    """The EAN-13 check digit for 12 digits (weights 1,3,1,3,... from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("need exactly 12 digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return (len(code) == 13 and code.isascii() and code.isdigit()
            and ean13_check_digit(code[:12]) == int(code[12]))


@dataclass(frozen=True, slots=True)
class DemoProduct:
    sku: str
    name_zh: str
    name_en: str
    category: str
    unit_price: int
    member_price: int | None

    @property
    def member_or_list(self) -> int:
        return self.member_price if self.member_price is not None else self.unit_price


def demo_products() -> tuple[DemoProduct, ...]:
    """The fixed catalogue with its barcodes: GS1 China prefix (690-699), a 4-digit company
    number per category and brand group, a 5-digit item number, and the check digit.
    Every third product has a member price (about 8-12% off, ending in 0 fen)."""
    out: list[DemoProduct] = []
    for c, (category, items) in enumerate(CATALOGUE.items()):
        for i, (zh, en, price) in enumerate(items):
            prefix = 690 + (c + i // 8) % 10
            company = 1000 + 173 * c + 7 * (i // 8)
            item = 10000 + 379 * i + c
            first12 = f"{prefix}{company:04d}{item:05d}"
            sku = first12 + str(ean13_check_digit(first12))
            member_price = None
            if (i + c) % 3 == 0 and price >= 500:
                off = 8 + (i * 7 + c) % 5  # 8..12 %
                member_price = price * (100 - off) // 100 // 10 * 10
            out.append(DemoProduct(sku, zh, en, category, price, member_price))
    skus = {p.sku for p in out}
    assert len(skus) == len(out), "demo barcodes must be unique"
    return tuple(out)


# ------------------------------------------------------------------------------ people

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

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建林琳晨浩宇欣怡梓涵子轩雨萱思远佳琪"
    "嘉怡一诺子墨若汐梦瑶俊杰文博诗涵天佑晓雯志强海燕春梅秋菊宏伟永红丹丹婷婷晶晶磊磊"
)
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "198", "199",
)
_FAMILIES = (
    "已婚，一个孩子（3岁）", "已婚，两个孩子", "单身", "三口之家", "与父母同住", "新婚",
    "有宝宝（8个月）", "退休，老两口", "养猫", "养狗",
)



# ------------------------------------------------------------------------------ summary


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What was made. `describe()` prints no member's phone or name (known demo members are
    shown masked)."""

    products: int
    categories: int
    promotions: int
    staff: tuple[tuple[str, str, str, str], ...]  # login, role, name, pin
    members: int
    members_by_tier: dict[str, int]
    coupons_by_kind: dict[str, int]
    bearer_coupons: int
    sales: int
    member_sales: int
    refunds: int
    points_adjustments: int
    points_earned: int
    points_redeemed: int
    points_expired: int
    audit_entries: int
    outbox_events: int
    known_members: tuple[tuple[str, str], ...]  # masked phone, tier
    seconds: float
    seed: int

    def describe(self) -> str:
        tiers = ", ".join(f"{t} {self.members_by_tier.get(t, 0)}"
                          for t in ("basic", "silver", "gold", "black"))
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.coupons_by_kind.items()))
        lines = [
            f"demo store seeded in {self.seconds:.1f} s (seed {self.seed})",
            f"  products:   {self.products} in {self.categories} categories, "
            f"{self.promotions} promotions",
            f"  members:    {self.members} ({tiers})",
            f"  coupons:    {kinds}; {self.bearer_coupons} bearer",
            f"  sales:      {self.sales} ({self.member_sales} to members), "
            f"{self.refunds} refunds, {self.points_adjustments} points adjustments",
            f"  points:     {self.points_earned} earned, {self.points_redeemed} redeemed, "
            f"{self.points_expired} expired",
            f"  audit log:  {self.audit_entries} entries; outbox: {self.outbox_events} events",
            "  staff (login / PIN):",
        ]
        lines += [f"    {login}  {pin}  {role:<10} {name}" for login, role, name, pin in self.staff]
        lines.append("  demo members to try (full numbers in app/demo.py):")
        lines += [f"    {masked}  {tier}" for masked, tier in self.known_members]
        return "\n".join(lines)


class StoreNotEmpty(Refused):
    code = "store_not_empty"


def store_is_empty(ctx: TillContext) -> bool:
    """True when the store has no products (a fresh till)."""
    with ctx.uow(write=False) as uow:
        return uow.session.execute(select(orm.Product.id).limit(1)).first() is None


# ------------------------------------------------------------------------------ planning


@dataclass(slots=True)
class _Member:
    id: MemberId
    phone: str
    card_no: str
    name: str | None
    birthday: date | None
    family: str | None
    favourites: tuple[str, ...]
    marketing: bool
    registered_at: datetime
    staff_login: str
    welcome_code: str | None = None  # drawn for the member at registration
    welcome_planned: bool = False  # a planned sale uses it
    target: Tier = Tier.BASIC


@dataclass(slots=True)
class _Sale:
    at: datetime
    member: _Member | None
    lines: list[tuple[str, int]]
    coupons: tuple[str, ...] = ()
    redeem: int = 0  # points redemption wanted, in steps (0: none); capped by the balance
    reference: str = ""
    cashier: str = "1001"
    tender: str = "mobile"
    big: bool = False
    refund: timedelta | None = None
    full_refund: bool = False


@dataclass(slots=True)
class _CouponPlan:
    at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Adjust:
    at: datetime
    member: _Member
    points: int
    note: str


class _Planner:
    """Draws the whole store from one random generator, before anything is written."""

    def __init__(self, rng: random.Random, now: datetime, tz: tzinfo, store_no: int,
                 welcome: bool) -> None:
        self.rng = rng
        self.now = now
        self.tz = tz
        self.store_no = store_no
        self.welcome = welcome
        self.products = demo_products()
        self.by_category: dict[str, list[DemoProduct]] = {}
        for p in self.products:
            self.by_category.setdefault(p.category, []).append(p)
        self.price = {p.sku: p.member_or_list for p in self.products}
        self.category_of = {p.sku: p.category for p in self.products}
        self.codes: set[str] = set()

    # -------------------------------------------------------------- small draws

    def code(self, prefix: str = "C") -> str:
        while True:
            c = new_coupon_code(prefix, self.rng.choice)
            if c not in self.codes:
                self.codes.add(c)
                return c

    def local_time(self, day: date, start_h: int = 8, end_h: int = 22) -> datetime:
        minutes = self.rng.randrange(start_h * 60, end_h * 60)
        local = datetime.combine(day, dtime(minutes // 60, minutes % 60, self.rng.randrange(60)),
                                 tzinfo=self.tz)
        return local.astimezone(UTC)

    def moment(self, earliest: datetime, latest: datetime) -> datetime:
        """A business-hours moment between two instants (clamped to them)."""
        if latest <= earliest:
            return earliest
        span = (latest - earliest).days
        for _ in range(8):
            day = (earliest + timedelta(days=self.rng.randint(0, max(span, 0)))).astimezone(self.tz)
            at = self.local_time(day.date())
            if earliest <= at <= latest:
                return at
        return earliest + (latest - earliest) * self.rng.random()

    # -------------------------------------------------------------- members

    def members(self, n: int) -> list[_Member]:
        rng = self.rng
        phones: set[str] = {p for p, _ in KNOWN_MEMBERS}
        cards: set[str] = set()
        out: list[_Member] = []
        known = list(KNOWN_MEMBERS)[: max(0, min(len(KNOWN_MEMBERS), n))]
        for i in range(n):
            if i < len(known):
                phone = known[i][0]
            else:
                while True:
                    raw = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
                    try:
                        phone = normalize_phone(raw)
                    except InvalidPhone:
                        continue
                    if phone not in phones:
                        phones.add(phone)
                        break
            while True:
                card = make_card_number(self.store_no, rng.randrange(10**11))
                if card not in cards:
                    cards.add(card)
                    break
            # Registered over the last two years, more of them recently.
            age_days = 730 * rng.random() ** 1.4
            registered = self.now - timedelta(days=age_days)
            registered = self.moment(registered - timedelta(hours=12), registered + timedelta(hours=12))
            registered = min(registered, self.now - timedelta(minutes=5))
            name = None
            if rng.random() < 0.7:
                given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
                name = rng.choice(_SURNAMES) + given
            birthday = None
            if rng.random() < 0.8:
                year = self.now.year - rng.randint(18, 75)
                birthday = date(year, rng.randint(1, 12), rng.randint(1, 28))
            family = rng.choice(_FAMILIES) if rng.random() < 0.3 else None
            favourites = tuple(rng.sample(sorted(CATALOGUE), rng.choice((0, 0, 1, 2, 3))))
            out.append(_Member(
                id=MemberId(new_id()), phone=phone, card_no=card, name=name, birthday=birthday,
                family=family, favourites=favourites, marketing=rng.random() < 0.6,
                registered_at=registered, staff_login=rng.choice(("1001", "1001", "1002")),
            ))
        # The known members: the black, gold and silver ones joined long ago; the basic
        # one joined today.
        for m, (_, tier) in zip(out, known, strict=False):
            m.target = tier
            days = {Tier.BLACK: 600, Tier.GOLD: 500, Tier.SILVER: 400, Tier.BASIC: 0}[tier]
            m.registered_at = (self.now - timedelta(days=days, hours=3)) if days else (
                self.now - timedelta(minutes=30))
        for m in out:
            if self.welcome:
                m.welcome_code = self.code()
        out.sort(key=lambda m: m.registered_at)
        return out

    # -------------------------------------------------------------- baskets

    def everyday_basket(self, max_lines: int = 10) -> list[tuple[str, int]]:
        rng = self.rng
        cats = list(_EVERYDAY_WEIGHT)
        weights = [_EVERYDAY_WEIGHT[c] for c in cats]
        n = min(max_lines, 1 + int(rng.expovariate(1 / 4)))
        lines: dict[str, int] = {}
        for _ in range(n):
            cat = rng.choices(cats, weights)[0]
            p = rng.choice(self.by_category[cat])
            if p.unit_price > 30000 and rng.random() < 0.85:
                continue  # everyday baskets rarely hold the ¥300+ items
            lines[p.sku] = lines.get(p.sku, 0) + rng.choice((1, 1, 1, 1, 2, 2, 3))
        if not lines:
            p = rng.choice(self.by_category["dairy"])
            lines[p.sku] = 1
        return list(lines.items())

    def big_basket(self, target: int) -> list[tuple[str, int]]:
        """A festive or stock-up basket worth at least `target` fen at member prices."""
        rng = self.rng
        # Items dear enough to matter, cheap enough not to overshoot by much.
        premium = [p for c in _PREMIUM for p in self.by_category[c]
                   if 5000 <= p.member_or_list <= max(target // 4, 5000)]
        lines: dict[str, int] = dict(self.everyday_basket(6))
        total = sum(self.price[s] * q for s, q in lines.items())
        while total < target:
            p = rng.choice(premium)
            price = self.price[p.sku]
            q = min(rng.randint(1, 4), -(-(target - total) // price))
            lines[p.sku] = lines.get(p.sku, 0) + q
            total += price * q
        return list(lines.items())

    def pad(self, lines: list[tuple[str, int]], category: str | None, floor: int) -> None:
        """Add items (of `category` if given) until the eligible lines reach `floor` fen."""
        def scope() -> int:
            return sum(self.price[s] * q for s, q in lines
                       if category is None or self.category_of[s] == category)
        pool = self.by_category[category] if category else self.by_category["grain"]
        while scope() < floor:
            p = self.rng.choice(pool)
            lines.append((p.sku, 1))

    def basket_total(self, lines: Sequence[tuple[str, int]]) -> int:
        return sum(self.price[s] * q for s, q in lines)


def _promotions(now: datetime, products: Sequence[DemoProduct]) -> list[dict[str, Any]]:
    day = timedelta(days=1)
    featured = [p.sku for p in products if p.category in ("snacks", "drinks")][3:40:6]
    return [
        {"name": "乳品周 双倍积分 Dairy week: double points", "kind": "points_multiplier",
         "multiplier": "2", "categories": ["dairy"], "skus": [],
         "starts": now - 10 * day, "ends": now + 20 * day},
        {"name": "生鲜节 1.5倍积分 Fresh festival: 1.5x points", "kind": "points_multiplier",
         "multiplier": "1.5", "categories": ["produce", "meat", "seafood"], "skus": [],
         "starts": now - 3 * day, "ends": now + 4 * day},
        {"name": "中秋酒水 三倍积分 Mid-Autumn wine: triple points", "kind": "points_multiplier",
         "multiplier": "3", "categories": ["wine_spirits"], "skus": [],
         "starts": now - 75 * day, "ends": now - 55 * day},
        {"name": "母婴月 双倍积分 Baby month: double points", "kind": "points_multiplier",
         "multiplier": "2", "categories": ["baby"], "skus": [],
         "starts": now + 5 * day, "ends": now + 35 * day},
        {"name": "精选单品 三倍积分 Featured items: triple points", "kind": "points_multiplier",
         "multiplier": "3", "categories": [], "skus": featured,
         "starts": now - 7 * day, "ends": now + 7 * day},
        {"name": "暑期零食饮料 双倍积分 Summer snacks & drinks: double points",
         "kind": "points_multiplier", "multiplier": "2", "categories": ["snacks", "drinks"],
         "skus": [], "starts": now - 150 * day, "ends": now - 120 * day},
        {"name": "店庆周 全场1.5倍积分 Store anniversary: 1.5x on everything",
         "kind": "points_multiplier", "multiplier": "1.5", "categories": [], "skus": [],
         "starts": now - 200 * day, "ends": now - 193 * day},
        {"name": "生日月 双倍积分 Birthday month: double points", "kind": "birthday_multiplier",
         "multiplier": "2", "categories": [], "skus": [], "starts": None, "ends": None},
    ]


# ------------------------------------------------------------------------------ seeding


@contextmanager
def _clock_at(ctx: TillContext, at_ref: list[datetime]) -> Iterator[None]:
    """Swap the context's clock for one that reads `at_ref[0]`; put the real one back."""
    real = ctx.clock

    def fixed() -> datetime:
        return at_ref[0]

    ctx.clock = fixed
    try:
        yield
    finally:
        ctx.clock = real


def seed_demo(ctx: TillContext, members: int = 2000, sales: int = 400,
              seed: int = DEFAULT_SEED) -> SeedSummary:
    """Fill an empty store with a realistic demo store. Refuses (StoreNotEmpty) when the store
    already has products. See the module docstring for what goes through which path."""
    if members < 0 or sales < 0:
        raise ValueError("members and sales cannot be negative")
    if not store_is_empty(ctx):
        raise StoreNotEmpty(
            "The store already has products; the demo seeds only an empty store "
            "(use a new --home, or --if-empty to skip quietly)."
        )
    started = time.perf_counter()
    rng = random.Random(seed)
    now = ctx.now()
    tz = ctx.tz
    if not (ctx.home / PROGRAM_NAME).exists():  # the demo store's program: its home file
        write_program_file(ctx.home, ctx.home_program)
    planner = _Planner(rng, now, tz, ctx.config.store.store_no,
                       ctx.program_at(now).welcome_coupon.issued)
    opened = now - timedelta(days=731)
    at_ref = [opened]
    with _clock_at(ctx, at_ref):
        products = _write_catalogue(ctx, planner, now)
        staff = _write_staff(ctx)
        people = planner.members(members)
        plan_sales, coupon_plans, adjusts = _plan_activity(planner, people, sales)
        timeline = _timeline(people, plan_sales, coupon_plans, adjusts)
        results = _run(ctx, at_ref, staff, timeline)
        at_ref[0] = now
        from app.services.points import expire_due

        expired = expire_due(ctx)
    return _summary(ctx, products, people, results, expired, seed,
                    time.perf_counter() - started)


def _write_catalogue(ctx: TillContext, planner: _Planner, now: datetime) -> int:
    with ctx.uow() as uow:
        s = uow.session
        s.execute(insert(orm.Product), [
            {"id": new_id(), "sku": p.sku, "name_zh": p.name_zh, "name_en": p.name_en,
             "category": p.category, "unit_price": p.unit_price, "member_price": p.member_price,
             "active": True}
            for p in planner.products
        ])
        s.execute(insert(orm.Promotion), [
            {"id": str(new_id()), **promo} for promo in _promotions(now, planner.products)
        ])
        uow.commit()
    return len(planner.products)


def _write_staff(ctx: TillContext) -> dict[str, StaffId]:
    from app.services.staff import add_staff

    ids: dict[str, StaffId] = {}
    with ctx.uow(write=False) as uow:
        for row in uow.session.execute(select(orm.Staff)).scalars():
            ids[row.login] = StaffId(row.id)
    manager: StaffId | None = None
    for login, name, role, pin in reversed(DEMO_STAFF):  # the manager adds the others
        if login not in ids:
            ids[login] = add_staff(ctx, login, name, role, pin, actor_id=manager).id
        if role is Role.MANAGER:
            manager = ids[login]
    return ids


def _plan_activity(p: _Planner, people: list[_Member], n_sales: int,
                   ) -> tuple[list[_Sale], list[_CouponPlan], list[_Adjust]]:
    rng, now = p.rng, p.now
    day = timedelta(days=1)
    sales: list[_Sale] = []
    if not people:
        return [_Sale(p.moment(now - 300 * day, now - day), None, p.everyday_basket())
                for _ in range(n_sales)], [], []

    # Members who reach the higher tiers: big baskets inside the rolling 12 months.
    # (tier, how many members, sales each, fen per sale at member prices)
    tier_plan = [
        (Tier.BLACK, max(1, n_sales // 130), 5, 1_250_000),
        (Tier.GOLD, max(1, n_sales // 40), 3, 430_000),
        (Tier.SILVER, max(1, n_sales // 12), 2, 135_000),
    ]
    older = [m for m in people if m.registered_at < now - 60 * day and m.target is Tier.BASIC]
    rng.shuffle(older)
    budget = n_sales
    for tier, count, each, fen in tier_plan:
        chosen = [m for m in people if m.target is tier]
        while len(chosen) < count and older:
            m = older.pop()
            m.target = tier
            chosen.append(m)
        for m in chosen:
            if budget < each:
                break
            budget -= each
            start = max(m.registered_at + day, now - 300 * day)
            for _ in range(each):
                lines = p.big_basket(fen)
                sales.append(_Sale(p.moment(start, now - day), m, lines, big=True,
                                   tender=rng.choice(("card", "mobile")),
                                   cashier=rng.choice(("1001", "1002"))))

    # The known black and gold members shopped this week.
    for m in people:
        if m.phone in (KNOWN_MEMBERS[0][0], KNOWN_MEMBERS[1][0]) and budget > 0:
            budget -= 1
            sales.append(_Sale(p.moment(now - 6 * day, now - timedelta(hours=2)), m,
                               p.everyday_basket(), tender="mobile",
                               reference=f"{rng.randrange(10**12):012d}"))

    # Everyday sales. A third of the member sales come within days of joining (and use the
    # welcome coupon); some are old enough that their points have expired since.
    # About one member in eight is a regular who does most of the member shopping (and so
    # has points to redeem); the others come now and then.
    members_pool = [m for m in people if m.phone != KNOWN_MEMBERS[-1][0]]
    regulars = [m for m in members_pool if rng.random() < 0.12] or members_pool
    for _ in range(budget):
        lines = p.everyday_basket()
        roll = rng.random()
        member = None
        if roll < 0.45 and regulars:
            member = rng.choice(regulars)
        elif roll < 0.78 and members_pool:
            member = rng.choice(members_pool)
        if member is None:
            at = p.moment(now - 365 * day, now - 2 * day)
        elif rng.random() < 0.33:
            at = p.moment(member.registered_at + timedelta(minutes=10),
                          min(member.registered_at + 25 * day, now - timedelta(minutes=1)))
        else:
            at = p.moment(max(member.registered_at + timedelta(hours=1), now - 700 * day),
                          now - timedelta(minutes=1))
        sale = _Sale(at, member, lines, cashier=rng.choice(("1001", "1001", "1002")),
                     tender=rng.choices(("mobile", "card", "cash"), (6, 2, 2))[0])
        sale.reference = f"{rng.randrange(10**12):012d}"
        if member is not None and member.welcome_code and not member.welcome_planned \
                and at <= member.registered_at + 29 * day and rng.random() < 0.8:
            p.pad(sale.lines, None, 6000)
            sale.coupons = (member.welcome_code,)
            member.welcome_planned = True  # one use
        elif member is not None and rng.random() < 0.35:
            sale.redeem = rng.randint(1, 30)
        sales.append(sale)

    # Coupon campaigns (rows as the server's sync would write them) and the sales that use
    # some of them.
    plans: list[_CouponPlan] = []
    everyday = [s for s in sales if not s.big and not s.coupons]
    members_sales = [s for s in everyday if s.member is not None]
    anon_sales = [s for s in everyday if s.member is None]
    dairy = p.by_category["dairy"]
    gift = next(x for x in dairy if x.unit_price < 1000)

    def campaign(at: datetime, kind: str, name: str, reason: str, holders: Sequence[_Member | None],
                 days: int, **spec: Any) -> list[str]:
        plan = _CouponPlan(at)
        codes = []
        for h in holders:
            code = p.code("B" if h is None else "C")
            codes.append(code)
            plan.rows.append({
                "member_id": h.id if h is not None else None, "kind": kind, "name": name,
                "reason": reason, "code": code, "valid_from": at,
                "valid_to": at + timedelta(days=days), **spec,
            })
        plans.append(plan)
        return codes

    def use(sale_pool: list[_Sale], code_of: Callable[[_Sale], str | None],
            prepare: Callable[[_Sale], None], k: int) -> None:
        for sale in sale_pool[:k]:
            code = code_of(sale)
            if code is None:
                continue
            prepare(sale)
            sale.coupons = (code,)
            sale.redeem = 0

    # 1. Bearer flyer "满100减20", handed out 45 days ago, valid 30 days.
    t = now - 45 * day
    bearer = campaign(t, "amount_off", "满100减20 Spend ¥100 save ¥20", "campaign",
                      [None] * max(10, n_sales // 8), 30, amount=2000, threshold=10000)
    window = [s for s in anon_sales + members_sales if t < s.at < t + 30 * day]
    it = iter(bearer)
    use(window, lambda s: next(it, None), lambda s: p.pad(s.lines, None, 10500), 6)

    # 2. Bearer free gift: a yogurt with any dairy purchase, last 20 days.
    t = now - 20 * day
    gifts = campaign(t, "free_gift", "买乳品送酸奶 Free yogurt with dairy", "campaign",
                     [None] * 20, 30, gift_sku=gift.sku, categories=("dairy",))
    window = [s for s in anon_sales + members_sales if t < s.at and not s.coupons]
    it2 = iter(gifts)
    use(window, lambda s: next(it2, None), lambda s: s.lines.append((gift.sku, 1)), 4)

    # 3. Member coupons: birthday 9折 (percent off, capped), double points on dairy,
    # cross-sell wine coupon (category scoped), wake-up and compensation.
    with_birthday = [m for m in people if m.birthday is not None
                     and m.registered_at < now - 40 * day][: max(5, len(people) // 10)]
    t = now - 40 * day
    bday = campaign(t, "percent_off", "生日9折券 Birthday 10% off", "birthday", with_birthday,
                    60, percent="10", cap=3000, threshold=5000)
    dbl = campaign(t, "points_multiplier", "乳品双倍积分券 Double points on dairy", "campaign",
                   with_birthday[::2], 60, multiplier="2", categories=("dairy",))
    bday_of = dict(zip((m.id for m in with_birthday), bday, strict=True))
    dbl_of = dict(zip((m.id for m in with_birthday[::2]), dbl, strict=True))
    window = [s for s in members_sales if s.at > t and not s.coupons and s.member is not None
              and s.member.id in bday_of]
    half = len(window) // 2
    use(window[:half], lambda s: bday_of[s.member.id] if s.member else None,
        lambda s: p.pad(s.lines, None, 6000), 10)
    use([s for s in window[half:] if s.member is not None and s.member.id in dbl_of],
        lambda s: dbl_of[s.member.id] if s.member else None,
        lambda s: p.pad(s.lines, "dairy", 1), 10)

    t = now - 25 * day
    wine_takers = [m for m in people if m.registered_at < t][-max(5, len(people) // 40):]
    wine = campaign(t, "amount_off", "买牛排送酒券 满200减30 Steak buyers: ¥30 off wine",
                    "cross_sell", wine_takers, 30, amount=3000, threshold=20000,
                    categories=("wine_spirits",))
    wine_of = dict(zip((m.id for m in wine_takers), wine, strict=True))
    window = [s for s in members_sales if s.at > t and not s.coupons and s.member is not None
              and s.member.id in wine_of]
    use(window, lambda s: wine_of[s.member.id] if s.member else None,
        lambda s: p.pad(s.lines, "wine_spirits", 20000), 5)

    t = now - 10 * day
    dormant = [m for m in people if m.registered_at < now - 90 * day][: max(5, len(people) // 20)]
    campaign(t, "amount_off", "唤醒券 满80减15 We miss you: ¥15 off ¥80", "wake_up", dormant, 14,
             amount=1500, threshold=8000)
    campaign(now - 5 * day, "amount_off", "服务补偿券 Service compensation ¥20", "compensation",
             dormant[:3], 30, amount=2000, stackable=True)

    # Refunds: a few everyday member sales with two or more lines, partial or full.
    candidates = [s for s in sales if not s.big and s.member is not None and len(s.lines) >= 2
                  and s.at < now - 2 * day]
    rng.shuffle(candidates)
    for i, s in enumerate(candidates[: max(1, n_sales // 60)]):
        s.refund = min(timedelta(hours=rng.randint(1, 96)), now - timedelta(minutes=2) - s.at)
        s.full_refund = i % 3 == 0

    adjusts = [
        _Adjust(p.moment(m.registered_at + day, now - day), m, pts, note)
        for m, pts, note in zip(
            [m for m in people if m.registered_at < now - 30 * day][-2:],
            (500, 200),
            ("投诉补偿：生鲜质量 complaint: produce quality", "积分补录：系统故障 missed earn: outage"),
            strict=False,
        )
    ]
    sales.sort(key=lambda s: s.at)
    return sales, plans, adjusts


# A timeline entry: (when, order, kind, payload). Kinds run in this order at equal times.
_ORDER = {"register": 0, "coupons": 1, "adjust": 2, "sale": 3, "refund": 4}


def _timeline(people: list[_Member], sales: list[_Sale], coupons: list[_CouponPlan],
              adjusts: list[_Adjust]) -> list[tuple[datetime, int, int, str, Any]]:
    events: list[tuple[datetime, int, int, str, Any]] = []
    n = 0

    def add(at: datetime, kind: str, payload: Any) -> None:
        nonlocal n
        events.append((at, _ORDER[kind], n, kind, payload))
        n += 1

    for m in people:
        add(m.registered_at, "register", m)
    for c in coupons:
        add(c.at, "coupons", c)
    for a in adjusts:
        add(a.at, "adjust", a)
    for s in sales:
        add(s.at, "sale", s)
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events


@dataclass(slots=True)
class _Results:
    sales: int = 0
    member_sales: int = 0
    refunds: int = 0
    adjustments: int = 0
    sale_ids: list[SaleId] = field(default_factory=list)


def _run(ctx: TillContext, at_ref: list[datetime], staff: dict[str, StaffId],
         timeline: list[tuple[datetime, int, int, str, Any]]) -> _Results:
    from app.services.checkout import Cart, CartLine, CompleteSale, complete_sale, quote_cart
    from app.services.members import member_view
    from app.services.points import AdjustPoints, adjust_points
    from app.services.refunds import RefundSale, refund_sale

    res = _Results()
    pending: list[_Member] = []
    refunds: list[tuple[datetime, int, _Sale, SaleId, int]] = []  # at, n_lines, sale, id, n
    supervisor, manager = staff["2001"], staff["3001"]

    def flush() -> None:
        if pending:
            _register_batch(ctx, pending, staff)
            pending.clear()

    def due_refunds(until: datetime) -> None:
        refunds.sort(key=lambda r: r[0])
        while refunds and refunds[0][0] <= until:
            at, n_lines, sale, sale_id, i = refunds.pop(0)
            at_ref[0] = at
            approver, pin = (manager, "9999") if i % 4 == 3 else (supervisor, "5678")
            lines = {k: q for k, (_, q) in enumerate(sale.lines, start=1)}
            if not sale.full_refund:
                lines = {n_lines: lines[n_lines]}
            refund_sale(ctx, RefundSale(
                refund_id=RefundId(new_id()), sale_ref=str(sale_id), lines=lines,
                cashier_id=staff[sale.cashier], approver_id=approver, approver_pin=pin,
                reason="顾客退货 customer return"))
            res.refunds += 1

    for at, _, _, kind, payload in timeline:
        if kind == "register":
            pending.append(payload)
            continue
        flush()
        due_refunds(at)
        at_ref[0] = at
        if kind == "coupons":
            _issue_coupons(ctx, payload)
        elif kind == "adjust":
            adj: _Adjust = payload
            adjust_points(ctx, AdjustPoints(adj.member.id, adj.points, adj.note, staff["1001"],
                                            supervisor, "5678"))
            res.adjustments += 1
        else:
            sale: _Sale = payload
            member_id = sale.member.id if sale.member else None
            redeem = 0
            if sale.redeem and member_id is not None:
                balance = member_view(ctx, member_id).points_balance
                step = ctx.program_at(ctx.now()).redemption.step
                redeem = min(balance // step, sale.redeem) * step
            cart = Cart(lines=tuple(CartLine(sku, q) for sku, q in _merged(sale.lines)),
                        member_id=member_id, coupon_codes=sale.coupons, redeem_points=redeem)
            total = quote_cart(ctx, cart).quote.total_due
            tenders = (_tender(sale.tender, total, sale.reference),) if total > 0 else ()
            sale_id = SaleId(new_id())
            complete_sale(ctx, CompleteSale(sale_id=sale_id, cashier_id=staff[sale.cashier],
                                            cart=cart, tenders=tenders, expected_total=total))
            res.sales += 1
            res.member_sales += member_id is not None
            res.sale_ids.append(sale_id)
            if sale.refund is not None:
                sale.lines = _merged(sale.lines)
                refunds.append((at + sale.refund, len(sale.lines), sale, sale_id, len(refunds)))
    flush()
    due_refunds(datetime.max.replace(tzinfo=UTC))
    return res


def _merged(lines: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for sku, q in lines:
        out[sku] = out.get(sku, 0) + q
    return list(out.items())


def _tender(kind: str, total: int, reference: str) -> Tender:

    if kind == "cash":
        paid = -(-total // 1000) * 1000  # rounded up to the next ¥10
        if paid - total < 100 and total > 2000:
            paid += 5000 if total > 5000 else 0
        return Tender("cash", paid)
    return Tender(kind, total, ("WX" if kind == "mobile" else "UP") + reference)


def _register_batch(ctx: TillContext, batch: Sequence[_Member], staff: dict[str, StaffId]) -> None:
    """Write what `register_member` writes for each member, many members per transaction."""
    terminal = ctx.terminal_id
    member_rows: list[dict[str, Any]] = []
    coupon_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    outbox_rows: list[dict[str, Any]] = []
    with ctx.uow() as uow:
        s = uow.session
        last = s.execute(select(orm.AuditRow).order_by(orm.AuditRow.seq.desc()).limit(1)
                         ).scalar_one_or_none()
        prev: AuditRecord | None = None
        if last is not None:
            prev = AuditRecord(seq=last.seq, id=last.id, at=last.at, terminal_id=last.terminal_id,
                               actor_id=last.actor_id, approver_id=last.approver_id,
                               action=last.action, subject=last.subject, details=last.details,
                               prev_hash=last.prev_hash, hash=last.hash)
        counter_name = f"outbox:{terminal}"
        seq = s.execute(select(orm.Counter.value).where(orm.Counter.name == counter_name)
                        ).scalar_one_or_none()
        had_counter = seq is not None
        seq = seq or 0
        for m in batch:
            now = m.registered_at
            program = ctx.program_at(now)
            terms = program.welcome_coupon.terms(now)
            member_rows.append({
                "id": m.id, "phone": m.phone, "card_no": m.card_no, "name": m.name,
                "birthday": m.birthday, "family": m.family,
                "favourite_categories": list(m.favourites),
                "consent_policy_version": program.consent_policy_version, "consent_at": now,
                "marketing_opt_in": m.marketing, "registered_at": now,
                "store_id": ctx.store_id, "tier": "basic", "last_purchase_at": None,
                "merged_into": None,
            })
            code = None
            if program.welcome_coupon.issued and m.welcome_code is not None:
                code = m.welcome_code
                coupon_rows.append(_coupon_row(
                    member_id=m.id, kind=terms.kind, name="Welcome", amount=terms.amount,
                    threshold=terms.threshold, valid_from=terms.valid_from,
                    valid_to=terms.valid_to, reason="welcome", at=now, code=code))
            rec = next_record(prev, id=new_id(), at=now, terminal_id=terminal,
                              actor_id=staff[m.staff_login], approver_id=None,
                              action="member.register", subject=str(m.id), details={})
            prev = rec
            audit_rows.append({
                "seq": rec.seq, "id": rec.id, "at": rec.at, "terminal_id": rec.terminal_id,
                "actor_id": rec.actor_id, "approver_id": rec.approver_id, "action": rec.action,
                "subject": rec.subject, "details": rec.details, "prev_hash": rec.prev_hash,
                "hash": rec.hash,
            })
            seq += 1
            outbox_rows.append({
                "id": new_id(), "terminal_id": terminal, "seq": seq, "type": "member.registered",
                "schema_version": SCHEMA_VERSION, "created_at": now, "sent_at": None, "result": None,
                "payload": {
                    "member_id": str(m.id), "phone": m.phone, "card_no": m.card_no,
                    "name": m.name, "birthday": m.birthday.isoformat() if m.birthday else None,
                    "family": m.family, "favourite_categories": list(m.favourites),
                    "consent": {
                        "policy_version": program.consent_policy_version,
                        "accepted_at": now.isoformat(), "marketing_opt_in": m.marketing,
                    },
                    "store_id": ctx.store_id, "registered_at": now.isoformat(),
                    "welcome_coupon": code,
                    "welcome_coupon_terms": None if code is None else terms.model_dump(mode="json"),
                },
            })
        s.execute(insert(orm.Member), member_rows)
        if coupon_rows:
            s.execute(insert(orm.Coupon), coupon_rows)
        s.execute(insert(orm.AuditRow), audit_rows)
        s.execute(insert(orm.OutboxEvent), outbox_rows)
        if had_counter:
            s.execute(update(orm.Counter).where(orm.Counter.name == counter_name).values(value=seq))
        else:
            s.execute(insert(orm.Counter), [{"name": counter_name, "value": seq}])
        uow.commit()


def _coupon_row(*, member_id: MemberId | None, kind: str, name: str, valid_from: datetime,
                valid_to: datetime, reason: str, at: datetime, code: str, amount: int = 0,
                percent: str = "0", cap: int | None = None, threshold: int = 0,
                multiplier: str = "1", gift_sku: str | None = None,
                categories: Sequence[str] = (), skus: Sequence[str] = (),
                stackable: bool = False) -> dict[str, Any]:
    """The row `app.services.members.issue_coupon` makes, as a dict for a bulk insert."""
    return {
        "id": new_id(), "code": code, "name": name, "kind": kind, "amount": amount,
        "percent": percent, "cap": cap, "threshold": threshold, "multiplier": multiplier,
        "gift_sku": gift_sku, "categories": list(categories), "skus": list(skus),
        "stackable": stackable, "member_only": member_id is not None, "member_id": member_id,
        "valid_from": valid_from, "valid_to": valid_to, "status": "issued",
        "issued_reason": reason, "issued_at": at, "redeemed_sale_id": None,
    }


def _issue_coupons(ctx: TillContext, plan: _CouponPlan) -> None:
    with ctx.uow() as uow:
        rows = [_coupon_row(at=plan.at, **r) for r in plan.rows]
        if rows:
            uow.session.execute(insert(orm.Coupon), rows)
        uow.commit()


def _summary(ctx: TillContext, products: int, people: list[_Member], res: _Results,
             expired: int, seed: int, seconds: float) -> SeedSummary:
    from app.services.members import member_view

    now = ctx.now()
    with ctx.uow(write=False) as uow:
        s = uow.session
        kinds = dict(s.execute(select(orm.Coupon.kind, func.count()).group_by(orm.Coupon.kind)
                               ).all())
        bearer = s.execute(select(func.count()).select_from(orm.Coupon)
                           .where(orm.Coupon.member_id.is_(None))).scalar_one()
        earned, redeemed = s.execute(select(
            func.coalesce(func.sum(orm.Sale.points_earned), 0),
            func.coalesce(func.sum(orm.Sale.points_redeemed), 0))).one()
        audit = s.execute(select(func.count()).select_from(orm.AuditRow)).scalar_one()
        outbox = s.execute(select(func.count()).select_from(orm.OutboxEvent)).scalar_one()
        promos = s.execute(select(func.count()).select_from(orm.Promotion)).scalar_one()
        buyers = [MemberId(r) for r in s.execute(
            select(orm.Sale.member_id).where(orm.Sale.member_id.is_not(None),
                                             orm.Sale.at >= now - timedelta(days=366))
            .distinct()).scalars() if r is not None]
    tiers: Tally[str] = Tally()
    for mid in buyers:
        tiers[member_view(ctx, mid).tier] += 1
    tiers["basic"] += len(people) - sum(tiers.values())
    known_phones = {p for p, _ in KNOWN_MEMBERS}
    known: list[tuple[str, str]] = []
    for m in people:
        if m.phone in known_phones:
            known.append((mask_phone(m.phone), member_view(ctx, m.id).tier))
    known.sort()
    staff = tuple((login, str(role), name, pin) for login, name, role, pin in DEMO_STAFF)
    return SeedSummary(
        products=products, categories=len(CATALOGUE), promotions=int(promos), staff=staff,
        members=len(people), members_by_tier=dict(tiers), coupons_by_kind=kinds,
        bearer_coupons=int(bearer), sales=res.sales, member_sales=res.member_sales,
        refunds=res.refunds, points_adjustments=res.adjustments, points_earned=int(earned),
        points_redeemed=int(redeemed), points_expired=expired, audit_entries=int(audit),
        outbox_events=int(outbox), known_members=tuple(known), seconds=seconds, seed=seed,
    )
