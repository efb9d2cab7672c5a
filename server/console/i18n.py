"""The console's words in Chinese (zh_CN, the default) and English.

``t(lang, key, **kw)`` formats with ``str.format``. Keys with a prefix and a value
(``sev_major``, ``role_store_manager``) are looked up as they come; a missing one shows the
value itself, so a new team or conflict kind is still readable (tests check that every key the
templates use statically exists in both languages).
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["zh_CN", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh_CN", "en")

_M: Final[dict[str, tuple[str, str]]] = {
    "app_name": ("会员收银台 · 总部控制台", "Loyalty Till · HQ console"),
    "skip_to_content": ("跳到正文", "Skip to content"),
    "nav_label": ("主导航", "Main"),
    "nav_tickets": ("工单", "Tickets"), "nav_members": ("会员", "Members"), "nav_stores": ("门店与终端", "Stores & tills"),
    "nav_conflicts": ("冲突与暂扣", "Held back & conflicts"), "nav_catalogue": ("商品目录", "Catalogue"),
    "nav_audit": ("操作审计", "Audit trail"),
    "sign_in": ("登录", "Sign in"), "sign_out": ("退出", "Sign out"),
    "sign_in_hint": ("请使用总部为您开设的账号登录。", "Sign in with the account HQ made for you."),
    "username": ("用户名", "User name"), "password": ("密码", "Password"),
    "login_bad": ("用户名或密码不正确。", "Wrong user name or password."),
    "login_locked": ("连续输错次数过多，账号已锁定 15 分钟。", "Too many wrong attempts: the account is locked for 15 minutes."),
    "error_title": ("无法完成", "This could not be done"), "back_home": ("返回首页", "Back to the start"),
    "role_hq_admin": ("总部管理员", "HQ admin"), "role_marketing": ("市场", "Marketing"),
    "role_area_manager": ("区域经理", "Area manager"), "role_store_manager": ("店长", "Store manager"),
    "role_service_agent": ("客服", "Service agent"),
    # dashboard
    "nav_dashboard": ("经营看板", "Dashboard"), "dashboard_title": ("经营看板", "Dashboard"),
    "whole_chain": ("全部门店（连锁）", "The whole chain"), "period": ("周期", "Period"),
    "period_day": ("日", "Day"), "period_week": ("周", "Week"), "period_month": ("月", "Month"),
    "as_of": ("数据截至 {at}（UTC）", "Figures as of {at} (UTC)"),
    "no_intel_yet": ("尚无指标：请运行 till-server intel recompute。", "No figures yet: run till-server intel recompute."),
    "before": ("上期 {v}", "before: {v}"),
    "kpi_average_ticket": ("客单价", "Average ticket"), "kpi_items_per_sale": ("连带率", "Items per sale"),
    "kpi_member_share": ("会员消费占比", "Member share of sales"), "kpi_repurchase_rate": ("复购率", "Repurchase rate"),
    "kpi_new_members": ("新会员转化", "New-member conversion"), "kpi_coupon_redemption": ("优惠券核销率", "Coupon redemption"),
    "kpi_feedback_score": ("评价星级", "Feedback stars"), "kpi_nps": ("NPS 净推荐值", "NPS"),
    "kpi_ticket_sla": ("工单按时关闭率", "Tickets closed within SLA"),
    # segments and campaigns
    "nav_campaigns": ("人群与活动", "Segments & campaigns"), "campaigns_title": ("人群与营销活动", "Segments and campaigns"),
    "intel_unavailable": ("会员洞察需要 PostgreSQL。", "Member intelligence needs PostgreSQL."),
    "segments": ("人群", "Segments"), "rule": ("规则", "Rule"), "members_n": ("人数", "Members"),
    "built_in": ("内置（RFM）", "built in (RFM)"), "seg_core": ("核心会员", "Core"), "seg_potential": ("潜力会员", "Potential"),
    "seg_dormant": ("沉睡会员", "Dormant"), "seg_lost": ("流失会员", "Lost"),
    "segment_id": ("人群编号", "Segment id"), "rule_json": ("规则（JSON）", "Rule (JSON)"),
    "rule_help": ("可用：r_min/r_max、f_*、m_*（1-5）、tiers、lifecycle、tags_any/tags_all、spend_min/max（分）、visits_min/max、stores_any、categories_any。人数在下次重算后更新。",
                  "Fields: r_min/r_max, f_*, m_* (1-5), tiers, lifecycle, tags_any/tags_all, spend_min/max (fen), visits_min/max, stores_any, categories_any. Sizes update at the next recompute."),
    "save_segment": ("保存人群", "Save the segment"), "campaigns": ("营销活动", "Campaigns"),
    "issued": ("已发券", "Issued"), "held_out": ("对照组", "Control"), "redeemed": ("已核销", "Redeemed"),
    "coupon_cost": ("券成本", "Coupon cost"), "uplift": ("转化提升", "Uplift"), "paused": ("已暂停", "paused"),
    "no_campaigns": ("尚无活动（till-server intel 或 HQ API 创建）。", "No campaigns yet (made with the HQ API)."),
    "run_campaigns": ("立即执行进行中的活动", "Run the active campaigns now"),
    "campaigns_help": ("按预算、每人上限和对照组比例发券；会员的收银机下次同步即可使用。",
                       "Issues within budget, per-member cap and control share; members' tills get the coupons on their next sync."),
    "err_rule": ("规则有误：{why}", "The rule is wrong: {why}"),
    "a_segment_saved": ("保存人群", "saved a segment"), "a_campaigns_run": ("执行活动", "ran the campaigns"),
    "field_segment_id": ("人群编号", "segment id"), "field_rule": ("规则", "rule"),
    # tickets
    "tickets_title": ("工单工作台", "Tickets workbench"),
    "tickets_summary": ("共 {total} 张，其中 {overdue} 张已超时。", "{total} tickets, {overdue} past their SLA."),
    "status": ("状态", "Status"), "store": ("门店", "Store"), "all_stores": ("全部门店", "All stores"),
    "filter": ("筛选", "Filter"), "queue_open": ("待处理", "Open"), "queue_closed": ("已关闭", "Closed"),
    "queue_empty": ("此队列为空。", "Nothing in this queue."),
    "sev_major": ("重大", "Major"), "sev_urgent": ("紧急", "Urgent"), "sev_normal": ("一般", "Normal"),
    "st_open": ("未处理", "Open"), "st_in_progress": ("处理中", "In progress"), "st_closed": ("已关闭", "Closed"),
    "opened": ("创建", "Opened"), "sla": ("时限", "SLA"), "due": ("截止", "Due"), "team": ("团队", "Team"),
    "assignee": ("处理人", "Assignee"), "open_ticket": ("打开", "Open"), "overdue": ("已超时", "overdue"),
    "closed_at": ("{at} 关闭", "closed {at}"), "ticket": ("工单", "Ticket"), "back_to_queues": ("返回队列", "Back to the queues"),
    "team_front_end": ("前台收银", "Front end"), "team_store_service": ("门店服务", "Store service"),
    "team_quality": ("品质", "Quality"), "team_facilities": ("设施", "Facilities"),
    "team_merchandising": ("商品", "Merchandising"), "team_store_manager": ("店长", "Store manager"),
    "feedback": ("顾客反馈", "Customer feedback"), "receipt": ("小票", "receipt"), "stars": ("星级", "Stars"),
    "category": ("类别", "Category"), "comment": ("留言", "Comment"), "submitted": ("提交时间", "Submitted"),
    "cat_product_quality": ("商品质量", "Product quality"), "cat_service": ("服务", "Service"),
    "cat_checkout_speed": ("结账速度", "Checkout speed"), "cat_cleanliness": ("环境卫生", "Cleanliness"),
    "cat_stock": ("缺货", "Stock"),
    "member": ("会员", "Member"), "open_member": ("查看会员", "Open the member"),
    "no_member": ("非会员消费", "No member on this sale"),
    "sale_not_synced": ("该笔销售尚未同步到服务器", "The sale has not reached the server yet"),
    "escalated": ("已升级至", "Escalated to"), "reasons": ("原因", "Why"), "closed": ("已关闭", "Closed"),
    "compensation": ("补偿", "Compensation"), "n_points": ("{n} 积分", "{n} points"),
    "coupon_of": ("{amount} 优惠券", "{amount} coupon"), "published": ("已下发至收银机", "sent to the tills"),
    "not_published": ("待下发", "not sent yet"),
    "assign": ("分派", "Assign"), "internal_note": ("内部备注", "Internal note"),
    "note_only_staff": ("仅员工可见", "Only staff see this"), "add_note": ("添加备注", "Add the note"),
    "reply_customer": ("答复顾客", "Reply to the customer"), "channel": ("渠道", "Channel"),
    "ch_phone": ("电话", "Phone"), "ch_sms": ("短信", "SMS"), "ch_in_store": ("到店", "In store"),
    "reply_text": ("答复内容", "What was said"), "record_reply": ("记录答复", "Record the reply"),
    "follow_up": ("回访", "Follow-up call"), "outcome": ("结果", "Outcome"), "call_notes": ("通话记录", "Call notes"),
    "record_call": ("记录回访", "Record the call"),
    "out_satisfied": ("满意", "Satisfied"), "out_partly": ("基本满意", "Partly satisfied"),
    "out_not_satisfied": ("不满意", "Not satisfied"), "out_no_answer": ("未接通", "No answer"),
    "out_call_back": ("约定再联系", "Call back later"),
    "close_ticket": ("关闭工单", "Close the ticket"), "close_reason": ("关闭原因", "Reason"),
    "reason_resolved": ("已解决", "Resolved"), "reason_compensated": ("已补偿", "Compensated"),
    "reason_explained": ("已解释", "Explained"), "reason_no_fault": ("非门店责任", "Not the store's fault"),
    "reason_unreachable": ("无法联系", "Could not reach the customer"), "reason_duplicate": ("重复", "Duplicate"),
    "comp_points": ("补偿积分", "Points to give"), "comp_coupon": ("优惠券面额（元）", "Coupon (yuan off)"),
    "comp_threshold": ("使用门槛（元）", "Coupon minimum spend (yuan)"), "resolution": ("处理说明", "What was done"),
    "comp_hint": ("补偿发给该笔销售的会员，会员所在门店的收银机下次同步即可使用。",
                  "A compensation goes to the member of the sale; their stores' tills get it on their next sync."),
    "history": ("处理记录", "History"),
    "ev_opened": ("创建工单", "opened the ticket"), "ev_escalated": ("升级", "escalated"),
    "ev_assigned": ("分派", "assigned"), "ev_status": ("开始处理", "started work"), "ev_note": ("备注", "noted"),
    "ev_reply": ("答复顾客", "replied to the customer"), "ev_follow_up": ("回访", "called back"),
    "ev_compensated": ("补偿", "compensated"), "ev_closed": ("关闭", "closed"),
    # members
    "members_title": ("会员", "Members"), "member_search_label": ("手机号、卡号或姓名", "Phone, card or name"),
    "member_search_ph": ("13800138000 / 8001… / 张", "13800138000 / 8001… / Zhang"), "search": ("搜索", "Search"),
    "member_search_help": ("输入完整手机号、会员卡号，或姓名开头。", "Type a full phone number, a card number or the start of a name."),
    "bad_phone": ("这不是有效的手机号。", "That is not a valid phone number."),
    "no_members": ("没有找到会员。", "No member found."),
    "found_n": ("找到 {n} 位（{how}）", "{n} found ({how})"), "by_phone": ("按手机号", "by phone"),
    "by_card": ("按卡号", "by card"), "by_name": ("按姓名", "by name"),
    "name": ("名称", "Name"), "phone": ("手机号", "Phone"), "card": ("卡号", "Card"), "tier": ("等级", "Tier"),
    "home_store": ("注册门店", "Home store"), "last_purchase": ("最近消费", "Last purchase"),
    "no_name": ("（未填姓名）", "(no name)"),
    "tier_basic": ("普通会员", "Basic"), "tier_silver": ("银卡", "Silver"), "tier_gold": ("金卡", "Gold"),
    "tier_black": ("黑卡", "Black"),
    "profile": ("资料", "Profile"), "reveal_phone": ("显示完整号码", "Show the full number"),
    "phone_revealed_logged": ("（已记入审计）", "(this reveal is in the audit trail)"),
    "registered": ("注册", "Registered"), "stores_seen": ("到访门店", "Stores"),
    "marketing_ok": ("接受营销", "Marketing consent"), "yes": ("是", "Yes"), "no": ("否", "No"),
    "overdraft": ("积分透支标记", "Points overdraft flagged"), "merged_from": ("合并自", "Merged from"),
    "points_and_tier": ("积分与等级", "Points and tier"),
    "expiring_soon": ("60 天内到期：{n} 积分", "Expiring within 60 days: {n} points"),
    "spend_12m": ("近 12 个月消费 {amount}", "Spent {amount} in the last 12 months"),
    "tier_progress": ("升级进度", "Progress to the next tier"),
    "to_next_tier": ("再消费 {amount} 升级{tier}", "{amount} more to {tier}"), "top_tier": ("已是最高等级", "Top tier"),
    "adjust_points": ("手动调整积分（±{limit} 以内）", "Adjust points (at most ±{limit})"),
    "adjust_reason": ("调整原因", "Reason"), "adjust": ("调整", "Adjust"),
    "ledger": ("积分明细（含到期日）", "Points ledger (with expiries)"), "when": ("时间", "When"), "kind": ("类型", "Kind"),
    "points": ("积分", "Points"), "expires": ("到期", "Expires"), "note": ("说明", "Note"), "where": ("来源", "Where"),
    "none_yet": ("暂无", "None yet"),
    "kind_earn": ("消费积分", "Earned"), "kind_redeem": ("抵扣", "Redeemed"), "kind_expire": ("过期", "Expired"),
    "kind_adjust": ("调整", "Adjusted"), "kind_compensate": ("补偿", "Compensation"), "kind_reverse": ("退货扣回", "Reversed"),
    "kind_give_back": ("退货返还", "Given back"),
    "coupons": ("优惠券", "Coupons"), "code": ("券码", "Code"), "coupon_name": ("名称", "Name"), "value": ("面额", "Value"),
    "min_spend": ("满 {amount}", "min. {amount}"), "valid_to": ("有效期至", "Valid to"),
    "cst_issued": ("可用", "Issued"), "cst_redeemed": ("已使用", "Redeemed"), "cst_void": ("作废", "Void"),
    "feedback_and_tickets": ("反馈与工单", "Feedback and tickets"), "purchases_n": ("消费记录（共 {n} 笔）", "Purchases ({n} in all)"),
    "items": ("件数", "Lines"), "total": ("金额", "Total"),
    "member_merged": ("该会员已合并到另一会员", "This member was merged into another"),
    "open_survivor": ("查看合并后的会员", "Open the member it was merged into"),
    # stores
    "stores_title": ("门店与终端", "Stores and tills"), "daily_sales": ("近 {days} 天每日销售额", "Daily sales, last {days} days"),
    "terminal": ("终端", "Till"), "state": ("状态", "State"), "last_seen": ("最近在线", "Last seen"),
    "sync_lag": ("距上次同步", "Since last sync"), "clock": ("时钟", "Clock"), "last_event_seq": ("最近事件号", "Last event no."),
    "parked": ("被拒事件", "Parked events"), "open_conflicts": ("未处理冲突", "Open conflicts"), "actions": ("操作", "Actions"),
    "term_enrolled": ("已注册", "Enrolled"), "term_awaiting": ("待注册", "Awaiting enrolment"), "term_revoked": ("已吊销", "Revoked"),
    "minutes": ("{n} 分钟", "{n} min"), "clock_off": ("偏差 {s} 秒", "off by {s} s"), "ok": ("正常", "OK"),
    "revoke": ("吊销", "Revoke"), "revoke_confirm": ("确定吊销终端 {t}？其令牌将立即失效。", "Revoke till {t}? Its token stops working at once."),
    "no_terminals": ("尚无终端。", "No tills yet."), "new_terminal_id": ("新终端编号", "New till id"),
    "enrol_terminal": ("生成注册码", "Enrol a till"), "add_store": ("新增门店", "Add a store"),
    "store_id": ("门店编号", "Store id"), "store_name": ("门店名称", "Store name"),
    "enrol_code_for": ("终端 {t}（门店 {s}）的一次性注册码", "One-time code for till {t} (store {s})"),
    "enrol_qr": ("注册码二维码", "QR code of the enrolment code"),
    "enrol_valid": ("{h} 小时内有效，只能使用一次。", "Valid for {h} hours, once."),
    "enrol_how": ("在收银机上运行：", "On the till, run:"),
    # conflicts
    "conflicts_title": ("冲突与暂扣", "Held back and conflicts"), "show": ("显示", "Show"),
    "open_only": ("未处理", "Open only"), "all": ("全部", "All"),
    "ck_points_overdraft": ("积分透支", "Points overdraft"), "ck_coupon_reused": ("优惠券重复使用", "Coupon used twice"),
    "ck_coupon_unknown": ("未知优惠券", "Unknown coupon"), "ck_member_merged": ("会员合并", "Members merged"),
    "ck_audit_mismatch": ("审计日志不一致", "Audit log mismatch"),
    "ckx_points_overdraft": ("两台收银机离线时抵扣了同一会员的积分，余额变为负数。两笔销售都已保留。",
                             "Two tills redeemed this member's points offline; the balance went negative. Both sales were kept."),
    "ckx_coupon_reused": ("同一张单次券在两台收银机上使用；先到服务器的一笔有效，另一笔已标记。",
                          "A single-use coupon was redeemed at two tills; the first to reach the server counts, the other sale is flagged."),
    "ckx_coupon_unknown": ("销售使用了服务器从未见过的券码，销售已保留并标记。",
                           "A sale used a coupon code the server never saw; the sale is kept and flagged."),
    "ckx_member_merged": ("同一手机号在两家门店离线注册，已合并为先注册者。",
                          "The same phone was registered offline at two stores; merged into the earlier one."),
    "ckx_audit_mismatch": ("收银机的审计日志与之前上报的不一致（记录被修改、删除或截断）。",
                           "The till's audit log no longer holds what it sent before (edited, deleted or cut short)."),
    "ck_points_mismatch": ("积分不符", "Points differ"), "ck_coupon_other_member": ("他人的优惠券", "Another member's coupon"),
    "ck_coupon_out_of_scope": ("券不适用本店", "Coupon not for this store"),
    "ck_refund_points_held": ("退货积分暂扣", "Refund points held back"),
    "ckx_points_mismatch": ("收银机上报的积分与服务器按同一规则重算的不同，已按服务器的数字记账。",
                            "The points the till reported differ from what the server computes with the same rules; the server's figure was posted."),
    "ckx_coupon_other_member": ("销售使用了属于另一位会员的优惠券，券未核销。", "A sale used a coupon of another member; the coupon was not redeemed."),
    "ckx_coupon_out_of_scope": ("销售使用了仅限其他门店的优惠券，券未核销。", "A sale used a coupon meant for another store; it was not redeemed."),
    "ckx_refund_points_held": ("退货要返还的积分超过剩余可退部分，多出的已暂扣。", "A refund asked for more points than remain on the sale; the rest is held back."),
    "f_claimed": ("收银机上报", "Till's figure"), "f_computed": ("服务器计算", "Server's figure"),
    "f_posted": ("实际记账", "Posted"), "f_total_due": ("销售金额", "Sale total"),
    "f_balance": ("服务器余额", "Server balance"), "f_code": ("券码", "Code"), "f_discount": ("折扣", "Discount"),
    "f_status": ("券状态", "Coupon status"), "f_survivor_id": ("保留的会员", "Kept member"), "f_alias_id": ("合并掉的会员", "Merged member"),
    "f_problems": ("问题", "Problems"),
    "this_sale": ("本笔销售", "This sale"), "first_sale": ("先到的销售", "The first sale"),
    "sale_not_here": ("销售不在服务器上", "Sale not on the server"),
    "coupon_discount": ("券抵扣", "coupon"), "points_redeemed": ("积分抵扣", "points redeemed"),
    "resolved_by": ("{who} 于 {at} 处理", "Resolved by {who} at {at}"), "resolve_note": ("处理说明", "What was done"),
    "resolve": ("标记已处理", "Resolve"), "no_conflicts": ("没有冲突。", "No conflicts."),
    "held_title": ("超出权限、待总部批准的积分", "Points held back for HQ's approval"),
    "ht_points.adjusted": ("手动调整积分", "Manual points adjustment"), "ht_points.compensated": ("补偿积分", "Points compensation"),
    "why_held": ("暂扣原因", "Why held"), "till_note": ("收银机备注", "Till's note"),
    "approve": ("批准并记账", "Approve and post"), "reject": ("拒绝", "Reject"),
    "no_held": ("没有待批准的积分。", "Nothing held back."),
    "a_held_approved": ("批准暂扣积分", "approved held points"), "a_held_rejected": ("拒绝暂扣积分", "rejected held points"),
    "parked_title": ("被拒并暂扣的事件", "Events parked as rejected"), "event_type": ("事件", "Event"),
    "reason": ("原因", "Reason"), "no_parked": ("没有被暂扣的事件。", "No parked events."),
    # catalogue
    "catalogue_title": ("商品目录", "Catalogue"), "import_products": ("导入商品", "Import products"),
    "import_help": ("CSV（含表头）或 JSON 列表，字段：sku, name_zh, name_en, category, unit_price, member_price, active（金额单位：分）。任何一行有误则整份不导入。",
                    "CSV with a header row or a JSON list; fields sku, name_zh, name_en, category, unit_price, member_price, active (money in fen). One bad row imports nothing."),
    "file": ("文件", "File"), "import": ("导入", "Import"),
    "import_result": ("新增 {added}，更新 {updated}，未变 {same}。收银机下次同步即更新。",
                      "{added} added, {updated} updated, {same} unchanged. Tills get them on their next sync."),
    "product_search": ("SKU 或名称", "SKU or name"), "n_products": ("共 {n} 个商品", "{n} products"),
    "unit_price": ("售价", "Price"), "member_price": ("会员价", "Member price"), "active": ("在售", "On sale"),
    "previous": ("上一页", "Previous"), "next": ("下一页", "Next"), "promotions": ("促销", "Promotions"),
    "starts": ("开始", "Starts"), "ends": ("结束", "Ends"), "name_zh": ("中文名", "Chinese name"),
    "name_en": ("英文名", "English name"), "unit_price_yuan": ("售价（元）", "Price (yuan)"),
    "member_price_yuan": ("会员价（元，可空）", "Member price (yuan, optional)"), "save": ("保存", "Save"),
    # audit
    "audit_title": ("操作审计", "Audit trail"), "user": ("用户", "User"), "action": ("操作", "Action"),
    "target": ("对象", "Target"), "detail": ("详情", "Detail"),
    "a_sign_in": ("登录", "signed in"), "a_sign_in_bad": ("登录失败", "failed sign-in"),
    "a_sign_in_locked": ("登录被锁定", "sign-in while locked"), "a_sign_out": ("退出", "signed out"),
    "a_reveal_phone": ("查看完整手机号", "revealed a full phone"), "a_points_adjusted": ("调整积分", "adjusted points"),
    "a_ticket_assigned": ("分派工单", "assigned a ticket"), "a_ticket_note": ("工单备注", "noted a ticket"),
    "a_ticket_reply": ("答复顾客", "replied to a customer"), "a_ticket_follow_up": ("回访", "recorded a follow-up"),
    "a_ticket_closed": ("关闭工单", "closed a ticket"), "a_store_saved": ("保存门店", "saved a store"),
    "a_terminal_enrol_code": ("生成注册码", "made an enrolment code"), "a_terminal_revoked": ("吊销终端", "revoked a till"),
    "a_conflict_resolved": ("处理冲突", "resolved a conflict"), "a_catalogue_imported": ("导入商品", "imported products"),
    "a_product_saved": ("保存商品", "saved a product"),
    # form fields named in error messages
    "field_points": ("积分", "points"), "field_reason": ("原因", "reason"), "field_coupon_yuan": ("优惠券面额", "coupon"),
    "field_threshold_yuan": ("使用门槛", "minimum spend"), "field_assignee": ("处理人", "assignee"),
    "field_team": ("团队", "team"), "field_note": ("说明", "note"), "field_reply": ("答复内容", "reply"),
    "field_channel": ("渠道", "channel"), "field_outcome": ("结果", "outcome"), "field_resolution": ("处理说明", "resolution"),
    "field_store_id": ("门店编号", "store id"), "field_name": ("名称", "name"), "field_terminal_id": ("终端编号", "till id"),
    "field_unit_price_yuan": ("售价", "price"), "field_member_price_yuan": ("会员价", "member price"),
    "field_name_zh": ("中文名", "Chinese name"), "field_name_en": ("英文名", "English name"),
    "field_category": ("类别", "category"),
    # errors
    "err_forbidden": ("您的角色无权进行此操作。", "Your role may not do this."),
    "err_not_found": ("没有找到，或不在您负责的门店范围内。", "Not found, or not in the stores you look after."),
    "err_csrf": ("表单已过期或来源不明，请刷新页面后重试。", "This form has expired or did not come from the console; reload the page and try again."),
    "err_bad_form": ("表单内容无法读取。", "The form could not be read."),
    "err_amount": ("金额格式不对（{field}），例如 12 或 12.50。", "Not an amount ({field}); for example 12 or 12.50."),
    "err_number": ("{field} 应为 {low} 到 {high} 之间的整数。", "{field} must be a whole number from {low} to {high}."),
    "err_choice": ("请选择一个有效的选项（{field}）。", "Choose one of the options ({field})."),
    "err_required": ("请填写 {field}。", "Please fill in {field}."),
    "err_too_long": ("{field} 最多 {limit} 个字符。", "{field} is at most {limit} characters."),
    "err_ticket_closed": ("工单已关闭。", "The ticket is closed."),
    "err_cannot_compensate": ("无法补偿：{why}", "Cannot compensate: {why}"),
    "err_zero_points": ("调整积分不能为 0。", "An adjustment moves at least one point."),
    "err_not_enough_points": ("可用积分只有 {available}，不能扣减更多。", "Only {available} points are available to take away."),
    "err_store_id": ("门店编号只能包含字母、数字、- 和 _。", "A store id has letters, digits, - and _ only."),
    "err_enrol": ("无法生成注册码：{why}", "No enrolment code: {why}"),
    "err_already_resolved": ("该冲突已被处理。", "This conflict was already resolved."),
    "err_no_file": ("请选择要导入的文件。", "Choose a file to import."),
    "err_file_kind": ("只能导入 .csv 或 .json 文件。", "Only .csv or .json files can be imported."),
    "err_file_big": ("文件超过 2 MB。", "The file is over 2 MB."),
    "err_import": ("未导入任何商品：{why}", "Nothing was imported: {why}"),
}


def keys() -> frozenset[str]:
    return frozenset(_M)


def t(lang: str, key: str, **kw: object) -> str:
    pair = _M.get(key)
    if pair is None:
        return key.split("_", 1)[1] if "_" in key else key
    text = pair[0] if lang == "zh_CN" else pair[1]
    if not kw:
        return text
    try:
        return text.format(**kw)
    except (KeyError, IndexError, ValueError):
        return text


def pick_lang(*choices: str | None) -> Lang:
    """The first choice naming a language the console speaks; an Accept-Language header too."""
    for raw in choices:
        if not raw:
            continue
        for part in raw.split(","):
            code = part.split(";")[0].strip().lower().replace("-", "_")
            if code in ("zh_cn", "zh", "zh_hans", "zh_hans_cn"):
                return "zh_CN"
            if code.startswith("en"):
                return "en"
    return "zh_CN"
