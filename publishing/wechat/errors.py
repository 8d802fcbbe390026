"""What each errcode of the WeChat Official Account API means for the admin, in Chinese, and whether trying again
later can help.

Sources (checked 2026-11): the errcode tables of each endpoint's page under
https://developers.weixin.qq.com/doc/subscription/api/ (getStableAccessToken, uploadImage, addMaterial, draft_add,
draft_update, getDraft, draft_delete, freepublish_submit, freepublish_batchget) and the 通用错误码 (global return
codes). Every message says what happened and what the admin can do about it.

- `describe(errcode, errmsg)` -> the message; an errcode missing from the table gets a generic message quoting the
  errcode and WeChat's errmsg (trimmed of its " rid: ..." / " hint: [...]" tail) and counts as permanent.
- `TRANSIENT_ERRCODES`: trying again later can help (the client itself retries only -1, see client.py).
- `TOKEN_ERRCODES`: the access_token was refused; the client renews it once and repeats the call.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# -1 system busy; 45011 the per-minute quota (docs: "API 调用太频繁，请稍候再试").
TRANSIENT_ERRCODES: frozenset[int] = frozenset({-1, 45011})

# 40001 invalid credential / not the latest token; 40014 invalid access_token; 42001 access_token expired.
TOKEN_ERRCODES: frozenset[int] = frozenset({40001, 40014, 42001})

_TECHNICAL = gettext_noop("这是程序的问题，不是公众号设置的问题：请把这条提示转给技术人员。")

# errcode -> msgid (Chinese, translated at describe() time).
_MEANINGS: dict[int, str] = {
    -1: gettext_noop("微信系统繁忙。系统会自动重试；若仍失败，请过几分钟再推送。"),
    # --- credentials and access ---
    40001: gettext_noop(
        "微信不认可当前的接口调用凭证（access_token 无效或不是最新的）。系统已自动换新凭证重试过一次；"
        "若仍出现，请检查 AppSecret 是否正确、是否刚被重置，以及是否有其他系统在为同一个公众号强制刷新凭证。"
    ),
    40014: gettext_noop(
        "微信认为接口调用凭证（access_token）不合法。系统已自动换新凭证重试过一次；"
        "若仍出现，请确认 AppID 与 AppSecret 属于同一个公众号。"
    ),
    42001: gettext_noop(
        "接口调用凭证（access_token）已过期。系统已自动换新凭证重试过一次；"
        "若仍出现，请检查服务器时钟是否准确，以及是否有其他系统在为同一个公众号强制刷新凭证。"
    ),
    40002: _TECHNICAL,
    40013: gettext_noop(
        "AppID 不合法：请核对 WECHAT_APP_ID（或该刊物设置中的 AppID）与公众平台“设置与开发 → 基本配置”"
        "中的开发者ID(AppID)完全一致（注意大小写，不要带空格）。"
    ),
    40125: gettext_noop(
        "AppSecret 不正确：请在公众平台“设置与开发 → 基本配置”中核对或重置 AppSecret，"
        "然后更新 WECHAT_APP_SECRET（或 WECHAT_APP_SECRET_FILE 指向的文件）并重启服务。"
    ),
    40164: gettext_noop(
        "本服务器的出口 IP 不在公众号的 IP 白名单中：请在公众平台“设置与开发 → 基本配置 → IP白名单”"
        "中添加本服务器的出口 IP，然后重新推送。"
    ),
    40243: gettext_noop(
        "公众号的 AppSecret 已被冻结：请在公众平台“设置与开发 → 基本配置”中解冻 AppSecret，然后重新推送。"
    ),
    41001: _TECHNICAL,
    41002: gettext_noop("没有提供 AppID：请设置 WECHAT_APP_ID，或在该刊物的设置中填写公众号 AppID。"),
    41004: gettext_noop("没有提供 AppSecret：请设置 WECHAT_APP_SECRET 或 WECHAT_APP_SECRET_FILE。"),
    43002: _TECHNICAL,
    44002: _TECHNICAL,
    47001: _TECHNICAL,
    40114: _TECHNICAL,
    48001: gettext_noop(
        "该公众号没有调用这个接口的权限：草稿箱和发布接口只对已认证的公众号开放，个人主体或未认证的账号无法调用。"
        "请在公众平台“设置与开发 → 接口权限”中确认已获得该接口，必要时先完成微信认证；"
        "在此之前可以在公众平台手动发表。"
    ),
    48004: gettext_noop("该接口因违规已被微信封禁：请登录公众平台查看原因并按提示处理。"),
    50002: gettext_noop("公众号受限（可能已被冻结或注销）：请登录公众平台查看账号状态。"),
    50007: gettext_noop("公众号已被冻结：请登录公众平台查看原因并解冻。"),
    89503: gettext_noop(
        "这次调用需要公众号管理员确认（来自新 IP 的调用）：请管理员在微信中确认后，再重新推送。"
    ),
    89506: gettext_noop("公众号管理员拒绝了来自本服务器 IP 的调用：请与管理员确认后，24 小时后再试。"),
    89507: gettext_noop("公众号管理员拒绝了来自本服务器 IP 的调用：请与管理员确认后，1 小时后再试。"),
    # --- quotas ---
    45009: gettext_noop(
        "今天调用这个接口的次数已达上限：请明天再推送；紧急时可以在公众平台清零接口调用次数"
        "（“重置API调用次数”，每月 10 次机会）后重试。"
    ),
    45011: gettext_noop("调用太频繁，超过了每分钟的次数限制：请一分钟后再试。"),
    45028: gettext_noop("公众号的群发/发表次数已用完：请明天再发布，或在公众平台手动处理。"),
    # --- images and materials ---
    40004: gettext_noop("微信不接受这种文件类型：请改用 JPG 或 PNG 图片后重新推送。"),
    40005: gettext_noop(
        "图片格式不被微信接受：正文图片只能是 JPG 或 PNG，封面可以是 JPG、PNG、GIF 或 BMP。"
        "请换用这些格式的图片后重新推送。"
    ),
    40113: gettext_noop("微信不支持这种文件类型：请改用 JPG 或 PNG 图片后重新推送。"),
    40006: gettext_noop(
        "文件大小不符合微信的要求：请压缩图片（正文图片小于 1 MB，封面小于 10 MB）后重新推送。"
    ),
    40009: gettext_noop("图片太大：正文图片须小于 1 MB，封面须小于 10 MB。请压缩图片后重新推送。"),
    45001: gettext_noop("文件太大：正文图片须小于 1 MB，封面须小于 10 MB。请压缩图片后重新推送。"),
    40007: gettext_noop(
        "微信找不到所引用的素材或草稿（media_id 无效）：封面素材或草稿可能已在公众平台被删除。"
        "请重新推送，系统会重新上传封面并新建草稿。"
    ),
    # --- the article ---
    45002: gettext_noop("正文太长：微信要求正文少于 2 万字符且小于 1 MB。请删减内容后重新推送。"),
    45003: gettext_noop("标题太长：微信要求标题不超过 32 个字。请缩短标题后重新推送。"),
    45004: gettext_noop("摘要太长：微信要求摘要不超过 128 个字。请缩短摘要后重新推送。"),
    45110: gettext_noop("作者名太长：微信要求作者不超过 16 个字。请缩短作者名后重新推送。"),
    45166: gettext_noop(
        "微信不接受正文内容（含有不允许的标签或结构）：请把这条提示转给技术人员检查生成的微信正文。"
    ),
    41039: gettext_noop(
        "“阅读原文”链接不合法：请检查刊物的网站地址设置（须是完整的 http(s) 地址，不超过 1 KB）。"
    ),
    88000: gettext_noop("该公众号没有留言权限：请在推送设置中关闭“打开留言”，或先在公众平台开通留言功能。"),
    53404: gettext_noop("公众号已被限制带货能力：请删除正文中的商品后重新推送。"),
    53405: gettext_noop("正文中插入的商品信息有误：请检查商品及其状态后重新推送。"),
    53406: gettext_noop("公众号尚未开通带货能力：请先开通，或删除正文中的商品后重新推送。"),
    # --- publishing (freepublish/submit) ---
    53503: gettext_noop(
        "这篇草稿没有通过微信的发布检查：请在公众平台的草稿箱中打开它查看提示，修改后重新推送再发布。"
    ),
    53504: gettext_noop("这篇草稿需要在公众平台官网使用：请登录公众平台，在草稿箱中手动发表。"),
    53505: gettext_noop(
        "需要先在公众平台手动保存这篇草稿：请登录公众平台，打开草稿箱中的这篇草稿并保存，然后再发表。"
    ),
}

_TAIL = re.compile(r"\s*(?:\brid:|\bhint:).*\Z", re.DOTALL)
_IP = re.compile(r"invalid ip ([0-9A-Fa-f.:]+)")
_ERRMSG_MAX = 200


def clean_errmsg(errmsg: str) -> str:
    """WeChat's errmsg without its " rid: ..." / " hint: [...]" tail (a request id, useless to the admin), in one
    line of at most 200 characters."""
    text = _TAIL.sub("", errmsg or "")
    text = " ".join(text.split())
    return text[:_ERRMSG_MAX]


def describe(errcode: int, errmsg: str = "") -> str:
    """The admin's message for `errcode` (Chinese, through gettext), ending with the errcode for support.

    For 40164 the IP WeChat saw is quoted (WeChat's errmsg reads "invalid ip 1.2.3.4 ipv6 ..., not in whitelist").
    An errcode missing from the table gets a generic message quoting errcode and the trimmed errmsg.
    """
    meaning = _MEANINGS.get(errcode)
    if meaning is None:
        return _(
            "微信接口返回了错误 %(errcode)s（%(errmsg)s）。本系统没有这个错误码的说明："
            "请在微信开发者文档的“通用错误码”中查找，或把这条提示转给技术人员。"
        ) % {"errcode": errcode, "errmsg": clean_errmsg(errmsg) or "-"}
    text = _(meaning)
    if errcode == 40164 and (found := _IP.search(errmsg or "")):
        text += _("（微信看到的 IP：%(ip)s）") % {"ip": found.group(1).rstrip(",")}
    return _("%(meaning)s（微信错误码 %(errcode)s）") % {"meaning": text, "errcode": errcode}
