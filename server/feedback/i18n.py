"""The feedback page's words in Chinese and English.

The language is ``?lang=`` when it names one we have, else the best match in the browser's
``Accept-Language`` (with q-values), else Chinese (the stores are in mainland China).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

__all__ = ["DEFAULT_LANG", "LANGS", "STRINGS", "Lang", "html_lang", "pick_language", "t"]

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

STRINGS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "zh": {
        "title": "购物体验评价",
        "intro": "感谢您的光临！请花一分钟告诉我们这次购物的感受。",
        "receipt": "小票号",
        "stars_legend": "总体满意度（1–5 星）",
        "star_label": "{n} 星（满分 5 星）",
        "nps_legend": "您有多大可能向朋友推荐我们？（0 = 完全不会，10 = 非常愿意）",
        "nps_low": "完全不会",
        "nps_high": "非常愿意",
        "category_legend": "主要与哪方面有关？（可不选）",
        "cat.product_quality": "商品质量",
        "cat.service": "服务",
        "cat.checkout_speed": "结账速度",
        "cat.cleanliness": "卫生环境",
        "cat.stock": "缺货 / 库存",
        "comment_label": "想对我们说的话（可不填）",
        "comment_hint": "最多 1000 字。请不要填写手机号等个人信息。",
        "submit": "提交评价",
        "switch": "English",
        "errors_title": "请检查以下内容：",
        "err.stars": "请选择 1 到 5 星。",
        "err.nps": "请选择 0 到 10 分。",
        "err.category": "请选择列表中的类别。",
        "err.comment": "留言最多 1000 字，且不能含控制字符。",
        "thanks_title": "感谢您的评价！",
        "thanks_body": "我们已收到您的意见，会认真改进。",
        "thanks_ticket": "很抱歉这次没能让您满意。门店负责人会跟进处理。",
        "already_title": "这张小票已经评价过了",
        "already_body": "每张小票只能评价一次。感谢您的支持！",
        "refused_title": "无法打开这个评价链接",
        "refused_body": "这个二维码无法识别，可能已损坏或不完整。请重新扫描小票上的二维码，"
        "或向门店工作人员咨询。给您带来不便，敬请谅解。",
        "bad_form_title": "无法读取您提交的内容",
        "bad_form_body": "提交的表单不完整或格式不对，评价没有保存。请重新扫描小票上的二维码再试一次。",
        "closed_title": "评价已结束",
        "closed_body": "这张小票的评价期已过。感谢您的关注！",
    },
    "en": {
        "title": "How was your visit?",
        "intro": "Thank you for shopping with us! Please take a minute to tell us how it went.",
        "receipt": "Receipt",
        "stars_legend": "Overall satisfaction (1–5 stars)",
        "star_label": "{n} of 5 stars",
        "nps_legend": "How likely are you to recommend us to a friend? (0 = not at all, 10 = very likely)",
        "nps_low": "Not at all",
        "nps_high": "Very likely",
        "category_legend": "What is it mostly about? (optional)",
        "cat.product_quality": "Product quality",
        "cat.service": "Service",
        "cat.checkout_speed": "Checkout speed",
        "cat.cleanliness": "Cleanliness",
        "cat.stock": "Out of stock",
        "comment_label": "Anything you would like to tell us? (optional)",
        "comment_hint": "Up to 1000 characters. Please do not include your phone number "
        "or other personal details.",
        "submit": "Send feedback",
        "switch": "中文",
        "errors_title": "Please check the following:",
        "err.stars": "Please choose 1 to 5 stars.",
        "err.nps": "Please choose a score from 0 to 10.",
        "err.category": "Please choose a category from the list.",
        "err.comment": "The comment can be at most 1000 characters, with no control characters.",
        "thanks_title": "Thank you for your feedback!",
        "thanks_body": "We have received it and will use it to do better.",
        "thanks_ticket": "We are sorry this visit fell short. The store manager will follow it up.",
        "already_title": "This receipt has already been rated",
        "already_body": "Each receipt can be rated once. Thank you for your support!",
        "refused_title": "We cannot open this feedback link",
        "refused_body": "This QR code could not be recognised; it may be damaged or incomplete. Please scan "
        "the code on your receipt again, or ask a member of staff. Sorry for the trouble.",
        "bad_form_title": "We could not read what was sent",
        "bad_form_body": "The form arrived incomplete or in a form we cannot read, so nothing was saved. "
        "Please scan the QR code on your receipt again and try once more.",
        "closed_title": "Feedback is closed",
        "closed_body": "Feedback for this receipt is no longer open. Thank you for your interest!",
    },
}


def t(lang: Lang, key: str, **kw: object) -> str:
    """The text for ``key`` in ``lang`` (a KeyError for an unknown key: a bug, not a user error)."""
    text = STRINGS[lang][key]
    return text.format(**kw) if kw else text


def _normalise(tag: str) -> Lang | None:
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    for lang in LANGS:
        if primary == lang:
            return lang
    return None


def _parse_accept(header: str) -> list[tuple[float, int, str]]:
    ranked: list[tuple[float, int, str]] = []
    for pos, part in enumerate(header.split(",")[:32]):  # bounded: a header is not a workload
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and 0.0 < q <= 1.0:
            ranked.append((-q, pos, tag))
    ranked.sort()
    return ranked


def pick_language(query_lang: str | None, accept_language: str | None) -> Lang:
    """``?lang=`` first, then ``Accept-Language``, then :data:`DEFAULT_LANG`."""
    if query_lang:
        chosen = _normalise(query_lang)
        if chosen:
            return chosen
    for _q, _pos, tag in _parse_accept(accept_language or ""):
        chosen = _normalise(tag)
        if chosen:
            return chosen
    return DEFAULT_LANG


def html_lang(lang: Lang) -> str:
    return "zh-CN" if lang == "zh" else "en"
