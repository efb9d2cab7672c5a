<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>Approval</name>
    <message>
      <source>Supervisor approval</source>
      <translation>主管授权</translation>
    </message>
    <message>
      <source>Supervisor number</source>
      <translation>主管工号</translation>
    </message>
    <message>
      <source>Supervisor PIN</source>
      <translation>主管密码</translation>
    </message>
    <message>
      <source>Approve</source>
      <translation>授权</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
  </context>
  <context>
    <name>Checkout</name>
    <message>
      <source>Item</source>
      <translation>商品</translation>
    </message>
    <message>
      <source>Qty</source>
      <translation>数量</translation>
    </message>
    <message>
      <source>Price</source>
      <translation>单价</translation>
    </message>
    <message>
      <source>Discount</source>
      <translation>优惠</translation>
    </message>
    <message>
      <source>Amount</source>
      <translation>金额</translation>
    </message>
    <message>
      <source>Looking up the member…</source>
      <translation>正在查找会员…</translation>
    </message>
    <message>
      <source>Member: {phone}.</source>
      <translation>会员：{phone}。</translation>
    </message>
    <message>
      <source>Last payment taken off.</source>
      <translation>已撤销上一笔付款。</translation>
    </message>
    <message>
      <source>Completing the sale…</source>
      <translation>正在结账…</translation>
    </message>
    <message>
      <source>Not completed: {why}</source>
      <translation>未能结账：{why}</translation>
    </message>
    <message>
      <source>Printing…</source>
      <translation>正在打印…</translation>
    </message>
    <message>
      <source>Points capped at {points} (at most half of the sale).</source>
      <translation>积分抵扣已限为 {points}（最多抵扣一半金额）。</translation>
    </message>
    <message>
      <source>Scan the items first.</source>
      <translation>请先扫描商品。</translation>
    </message>
    <message>
      <source>The cart is empty.</source>
      <translation>购物车是空的。</translation>
    </message>
    <message>
      <source>Pricing…</source>
      <translation>正在计价…</translation>
    </message>
    <message>
      <source>Not fully paid: {due} still to pay (total {total}).</source>
      <translation>尚未付清：还需支付 {due}（应付 {total}）。</translation>
    </message>
    <message>
      <source>Offline: this sale earns no points (this till's offline rules).</source>
      <translation>离线：本单不累计积分（本机离线规则）。</translation>
    </message>
    <message>
      <source>Unknown barcode {sku}: not added.</source>
      <translation>条码 {sku} 不存在：未加入。</translation>
    </message>
    <message>
      <source>Type the amount received in yuan, then press the tender key.</source>
      <translation>请输入收到的金额（元），再按付款方式键。</translation>
    </message>
    <message>
      <source>{tender} cannot be more than what is left to pay; only cash gives change.</source>
      <translation>{tender}金额不能超过待付金额；只有现金可以找零。</translation>
    </message>
    <message>
      <source>That is the QR that enrols this till with head office: a supervisor scans it in Settings, Server.</source>
      <translation>这是收银机向总部登记用的二维码：请主管在“设置 → 服务器”中扫描。</translation>
    </message>
    <message>
      <source>Identify the member first.</source>
      <translation>请先识别会员。</translation>
    </message>
    <message>
      <source>A supervisor opens the settings.</source>
      <translation>设置需由主管授权打开。</translation>
    </message>
    <message>
      <source>Finish or void the current sale before closing the shift.</source>
      <translation>请先完成或取消当前交易，再交班。</translation>
    </message>
    <message>
      <source>Scan or type a barcode, member code, phone or coupon — Enter</source>
      <translation>扫描或输入商品条码、会员码、手机号或优惠券 — 回车</translation>
    </message>
    <message>
      <source>Member</source>
      <translation>会员</translation>
    </message>
    <message>
      <source>Quantity</source>
      <translation>数量</translation>
    </message>
    <message>
      <source>Remove line</source>
      <translation>删除商品</translation>
    </message>
    <message>
      <source>New member</source>
      <translation>新会员</translation>
    </message>
    <message>
      <source>Use points</source>
      <translation>积分抵现</translation>
    </message>
    <message>
      <source>Refund</source>
      <translation>退货</translation>
    </message>
    <message>
      <source>Reprint</source>
      <translation>补打小票</translation>
    </message>
    <message>
      <source>Cash</source>
      <translation>现金</translation>
    </message>
    <message>
      <source>Card</source>
      <translation>银行卡</translation>
    </message>
    <message>
      <source>Mobile pay</source>
      <translation>移动支付</translation>
    </message>
    <message>
      <source>Close shift</source>
      <translation>交班</translation>
    </message>
    <message>
      <source>Pay</source>
      <translation>结账</translation>
    </message>
    <message>
      <source>Clear</source>
      <translation>清除</translation>
    </message>
    <message>
      <source>中文 / English</source>
      <translation>中文 / English</translation>
    </message>
    <message>
      <source>Find member</source>
      <translation>查找会员</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <source>Exact cash</source>
      <translation>现金（整付）</translation>
    </message>
    <message>
      <source>Void sale</source>
      <translation>整单作废</translation>
    </message>
    <message>
      <source>Hold / recall</source>
      <translation>挂单 / 取单</translation>
    </message>
    <message>
      <source>Price check</source>
      <translation>查价</translation>
    </message>
    <message>
      <source>Find item</source>
      <translation>查找商品</translation>
    </message>
    <message>
      <source>Change price</source>
      <translation>改价</translation>
    </message>
    <message>
      <source>Reprint receipt</source>
      <translation>补打小票</translation>
    </message>
    <message>
      <source>{tender} {amount}</source>
      <translation>{tender} {amount}</translation>
    </message>
    <message>
      <source>Pay by: {tender}</source>
      <translation>支付方式：{tender}</translation>
    </message>
    <message>
      <source>{a} + {b}</source>
      <translation>{a} + {b}</translation>
    </message>
    <message>
      <source>Can redeem up to {points} points ({value}) now; steps of {step}, at most half of the sale. F5</source>
      <translation>本单最多可用 {points} 积分（{value}）；每 {step} 积分起用，最多抵扣一半金额。F5</translation>
    </message>
    <message>
      <source>Points cannot be redeemed: in steps of {step}, up to the balance.</source>
      <translation>积分不能使用：须按 {step} 的整数倍，且不超过余额。</translation>
    </message>
    <message>
      <source>price</source>
      <translation>改价</translation>
    </message>
    <message>
      <source>Total {amount}</source>
      <translation>应付 {amount}</translation>
    </message>
    <message>
      <source>Total …</source>
      <translation>应付 …</translation>
    </message>
    <message>
      <source>Offline: points cannot be redeemed until the server is back (this till's offline rules).</source>
      <translation>离线：服务器恢复前不能使用积分（本机离线规则）。</translation>
    </message>
    <message>
      <source>Offline: at most {cap} points can be redeemed now (the last balance the server confirmed, {known}, minus {since} redeemed at this till since).</source>
      <translation>离线：现在最多可用 {cap} 积分（服务器最近确认的余额 {known}，减去本机此后已用的 {since}）。</translation>
    </message>
    <message>
      <source>Items</source>
      <translation>件数</translation>
    </message>
    <message>
      <source>Subtotal</source>
      <translation>小计</translation>
    </message>
    <message>
      <source>Change {amount}</source>
      <translation>找零 {amount}</translation>
    </message>
    <message>
      <source>Price changes</source>
      <translation>改价优惠</translation>
    </message>
    <message>
      <source>Member prices</source>
      <translation>会员价优惠</translation>
    </message>
    <message>
      <source>Coupons</source>
      <translation>优惠券</translation>
    </message>
    <message>
      <source>Points ({points})</source>
      <translation>积分（{points}）</translation>
    </message>
    <message>
      <source>Points earned</source>
      <translation>本单积分</translation>
    </message>
    <message>
      <source>Type the phone number or card number, then press F1.</source>
      <translation>先输入手机号或卡号，再按 F1。</translation>
    </message>
    <message>
      <source>Cashier: {name}</source>
      <translation>收银员：{name}</translation>
    </message>
    <message>
      <source>it is applied already</source>
      <translation>已经使用了这张券</translation>
    </message>
    <message>
      <source>it is not valid yet</source>
      <translation>尚未到使用日期</translation>
    </message>
    <message>
      <source>it has expired</source>
      <translation>已过期</translation>
    </message>
    <message>
      <source>it is for members: identify the member first</source>
      <translation>仅限会员使用：请先识别会员</translation>
    </message>
    <message>
      <source>it cannot be combined with the other coupon</source>
      <translation>不能与其他优惠券同时使用</translation>
    </message>
    <message>
      <source>no item in the cart is one it applies to</source>
      <translation>购物车中没有适用的商品</translation>
    </message>
    <message>
      <source>the items it applies to do not reach its minimum spend</source>
      <translation>适用商品未达到最低消费金额</translation>
    </message>
    <message>
      <source>there is no such coupon</source>
      <translation>没有这张优惠券</translation>
    </message>
    <message>
      <source>it has been used already</source>
      <translation>已被使用过</translation>
    </message>
    <message>
      <source>it belongs to another member</source>
      <translation>属于其他会员</translation>
    </message>
    <message>
      <source>it would give nothing on this sale (no money off, no extra points)</source>
      <translation>本单使用无任何优惠（不减钱，也不多给积分）</translation>
    </message>
    <message>
      <source>Coupon {code} not applied: {why}. It is not used up.</source>
      <translation>优惠券 {code} 未使用：{why}。该券仍可使用。</translation>
    </message>
    <message>
      <source>Coupon {code} cannot be used on this sale.</source>
      <translation>优惠券 {code} 不能用于本单。</translation>
    </message>
    <message>
      <source>Redeem {points} points for {value}? F5 applies, Esc cancels.</source>
      <translation>使用 {points} 积分抵扣 {value}？按 F5 确认，Esc 取消。</translation>
    </message>
    <message>
      <source>Scan the items first, then apply the coupon.</source>
      <translation>请先扫描商品，再使用优惠券。</translation>
    </message>
    <message>
      <source>Coupon {code} applied.</source>
      <translation>已使用优惠券 {code}。</translation>
    </message>
    <message>
      <source>Coupon {code} taken off.</source>
      <translation>已取消优惠券 {code}。</translation>
    </message>
    <message>
      <source>Offline: coupons cannot be used until the server is back (this till's offline rules).</source>
      <translation>离线：服务器恢复前不能使用优惠券（本机离线规则）。</translation>
    </message>
    <message>
      <source>No points can be redeemed on this sale now.</source>
      <translation>本单现在不能使用积分。</translation>
    </message>
    <message>
      <source>Redeem in steps of {step}, at most {limit} points ({value}) now.</source>
      <translation>积分须按 {step} 的整数倍使用，本单最多 {limit} 积分（{value}）。</translation>
    </message>
    <message>
      <source>Redeeming {points} points ({value}).</source>
      <translation>使用 {points} 积分（{value}）。</translation>
    </message>
    <message>
      <source>No points redeemed.</source>
      <translation>不使用积分。</translation>
    </message>
    <message>
      <source>Type the points (500) or the amount (¥5.00) to redeem, then press F5.</source>
      <translation>请输入要使用的积分（如 500）或金额（如 ¥5.00），再按 F5。</translation>
    </message>
    <message>
      <source>Change the price</source>
      <translation>改价 / 折扣</translation>
    </message>
    <message>
      <source>Percent off</source>
      <translation>折扣 %</translation>
    </message>
    <message>
      <source>New price</source>
      <translation>新价格</translation>
    </message>
    <message>
      <source>Approve the price</source>
      <translation>批准改价</translation>
    </message>
    <message>
      <source>New price (yuan)</source>
      <translation>新价格（元）</translation>
    </message>
    <message>
      <source>Type the percent off (1-100).</source>
      <translation>请输入折扣百分比（1-100）。</translation>
    </message>
    <message>
      <source>Type the new price in yuan.</source>
      <translation>请输入新价格（元）。</translation>
    </message>
    <message>
      <source>Damaged packaging</source>
      <translation>包装破损</translation>
    </message>
    <message>
      <source>Close to its expiry date</source>
      <translation>临近保质期</translation>
    </message>
    <message>
      <source>Shelf price differs</source>
      <translation>货架价格不符</translation>
    </message>
    <message>
      <source>Customer complaint</source>
      <translation>顾客投诉</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <source>Change the price of {qty} × {name} (now {price})</source>
      <translation>修改 {qty} × {name} 的价格（现价 {price}）</translation>
    </message>
    <message>
      <source>{percent}% off</source>
      <translation>减 {percent}%</translation>
    </message>
    <message>
      <source>new price {price}</source>
      <translation>新价 {price}</translation>
    </message>
    <message>
      <source>Price changed: {name}, {what}.</source>
      <translation>已改价：{name}，{what}。</translation>
    </message>
    <message>
      <source>The cart changed meanwhile; change the price again.</source>
      <translation>购物车已变动，请重新改价。</translation>
    </message>
    <message>
      <source>Customer changed their mind</source>
      <translation>顾客不要了</translation>
    </message>
    <message>
      <source>Customer cannot pay</source>
      <translation>顾客无法付款</translation>
    </message>
    <message>
      <source>Wrong items rung up</source>
      <translation>商品录入错误</translation>
    </message>
    <message>
      <source>Remove {qty} × {name} from the cart?</source>
      <translation>从购物车删除 {qty} × {name}？</translation>
    </message>
    <message>
      <source>Removed: {qty} × {name}.</source>
      <translation>已删除：{qty} × {name}。</translation>
    </message>
    <message>
      <source>Void the whole sale ({n} lines, {total})?</source>
      <translation>作废整单（{n} 行，{total}）？</translation>
    </message>
    <message>
      <source>Sale voided ({n} lines, {total}).</source>
      <translation>已作废整单（{n} 行，{total}）。</translation>
    </message>
    <message>
      <source>Type the quantity (1-999), then press F2.</source>
      <translation>先输入数量（1-999），再按 F2。</translation>
    </message>
    <message>
      <source>A weighed item is sold by its label; scan another label for more.</source>
      <translation>称重商品按标签销售；如需更多请再扫一张标签。</translation>
    </message>
    <message>
      <source>Sale suspended ({total}). Recall it with Shift+F11.</source>
      <translation>已挂单（{total}）。按 Shift+F11 取单。</translation>
    </message>
    <message>
      <source>Finish or suspend the current sale before recalling another.</source>
      <translation>请先完成或挂起当前交易，再取单。</translation>
    </message>
    <message>
      <source>Sale recalled: {n} items.</source>
      <translation>已取单：{n} 件商品。</translation>
    </message>
    <message>
      <source>Price check: scan an item to see its price (nothing is added). Ctrl+K again to sell.</source>
      <translation>查价模式：扫描商品查看价格（不加入购物车）。再按 Ctrl+K 恢复销售。</translation>
    </message>
    <message>
      <source>Price check off: scans are sold again.</source>
      <translation>已退出查价模式：扫描的商品将加入销售。</translation>
    </message>
    <message>
      <source>Price check: {name} {price}, member price {member}.</source>
      <translation>查价：{name} {price}，会员价 {member}。</translation>
    </message>
    <message>
      <source>Price check: {name} {price}.</source>
      <translation>查价：{name} {price}。</translation>
    </message>
    <message>
      <source>Void the sale</source>
      <translation>整单作废</translation>
    </message>
  </context>
  <context>
    <name>Errors</name>
    <message>
      <source>No staff member with this number.</source>
      <translation>没有这个工号的员工。</translation>
    </message>
    <message>
      <source>This staff member is locked after too many wrong PINs. A manager must unlock.</source>
      <translation>密码错误次数过多，该员工已被锁定，请店长解锁。</translation>
    </message>
    <message>
      <source>A supervisor must approve this.</source>
      <translation>此操作需要主管授权。</translation>
    </message>
    <message>
      <source>Another staff member must approve this.</source>
      <translation>须由另一位员工授权。</translation>
    </message>
    <message>
      <source>This staff member cannot approve that.</source>
      <translation>该员工无权授权此操作。</translation>
    </message>
    <message>
      <source>The float cannot be negative.</source>
      <translation>备用金不能为负数。</translation>
    </message>
    <message>
      <source>A shift is already open on this till.</source>
      <translation>本收银机已有未交班的班次。</translation>
    </message>
    <message>
      <source>No such shift.</source>
      <translation>没有这个班次。</translation>
    </message>
    <message>
      <source>The cart is empty.</source>
      <translation>购物车是空的。</translation>
    </message>
    <message>
      <source>Unknown barcode.</source>
      <translation>条码不存在。</translation>
    </message>
    <message>
      <source>Quantity must be at least 1.</source>
      <translation>数量至少为 1。</translation>
    </message>
    <message>
      <source>No such member.</source>
      <translation>没有这个会员。</translation>
    </message>
    <message>
      <source>No member with this code.</source>
      <translation>没有这个会员码对应的会员。</translation>
    </message>
    <message>
      <source>No member with this card.</source>
      <translation>没有这张卡对应的会员。</translation>
    </message>
    <message>
      <source>No member with this phone number.</source>
      <translation>没有这个手机号的会员。</translation>
    </message>
    <message>
      <source>Scan a member code or type a phone number.</source>
      <translation>请扫描会员码或输入手机号。</translation>
    </message>
    <message>
      <source>The total changed since it was shown; check the cart and try again.</source>
      <translation>金额已变动，请核对购物车后重试。</translation>
    </message>
    <message>
      <source>The payment is short of the total.</source>
      <translation>支付金额不足。</translation>
    </message>
    <message>
      <source>Only cash can give change.</source>
      <translation>只有现金可以找零。</translation>
    </message>
    <message>
      <source>A payment must be more than zero.</source>
      <translation>支付金额必须大于零。</translation>
    </message>
    <message>
      <source>This phone number already belongs to a member.</source>
      <translation>该手机号已是会员。</translation>
    </message>
    <message>
      <source>The member must accept the privacy policy to join.</source>
      <translation>会员须同意隐私政策才能注册。</translation>
    </message>
    <message>
      <source>Enter the member's mobile number.</source>
      <translation>请输入会员手机号。</translation>
    </message>
    <message>
      <source>That is not a phone number: use digits only.</source>
      <translation>这不是手机号：只能输入数字。</translation>
    </message>
    <message>
      <source>The phone number is too short (a mainland mobile number has 11 digits).</source>
      <translation>手机号位数不足：大陆手机号为11位。</translation>
    </message>
    <message>
      <source>The phone number is too long (a mainland mobile number has 11 digits).</source>
      <translation>手机号位数过多：大陆手机号为11位。</translation>
    </message>
    <message>
      <source>This is not a mobile number.</source>
      <translation>这不是手机号码。</translation>
    </message>
    <message>
      <source>This phone number is not valid.</source>
      <translation>手机号无效。</translation>
    </message>
    <message>
      <source>This is not a valid member code. Look the member up by phone number.</source>
      <translation>会员码无效，请用手机号查找会员。</translation>
    </message>
    <message>
      <source>This member code comes from a till this one does not know yet.</source>
      <translation>该会员码来自本机尚不认识的终端。</translation>
    </message>
    <message>
      <source>This member code is not genuine. Look the member up by phone number.</source>
      <translation>会员码不是真的，请用手机号查找会员。</translation>
    </message>
    <message>
      <source>This member code has expired. Ask the customer to refresh it.</source>
      <translation>会员码已过期，请顾客刷新。</translation>
    </message>
    <message>
      <source>This member code is dated in the future. Check the till's clock.</source>
      <translation>会员码时间在未来，请检查收银机时钟。</translation>
    </message>
    <message>
      <source>This member code or card has been blocked.</source>
      <translation>该会员码或会员卡已被停用。</translation>
    </message>
    <message>
      <source>No sale with this receipt number.</source>
      <translation>没有这个小票号的交易。</translation>
    </message>
    <message>
      <source>This receipt was issued at another till: refund or reprint it at that till.</source>
      <translation>这张小票是在其他收银机开的：请到那台收银机退货或补打。</translation>
    </message>
    <message>
      <source>Choose at least one item to refund.</source>
      <translation>请至少选择一件要退的商品。</translation>
    </message>
    <message>
      <source>More than what is left to refund on a line.</source>
      <translation>退货数量超过可退数量。</translation>
    </message>
    <message>
      <source>The sale has no such line.</source>
      <translation>该交易没有这一行。</translation>
    </message>
    <message>
      <source>A refund quantity is not valid.</source>
      <translation>退货数量无效。</translation>
    </message>
    <message>
      <source>Nothing to void.</source>
      <translation>没有可取消的商品。</translation>
    </message>
    <message>
      <source>This code is not one of this till's receipts.</source>
      <translation>这不是本收银机的小票码。</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no sales without it.</source>
      <translation>无法连接服务器，本机离线规则不允许离线收银。</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no registration without it.</source>
      <translation>无法连接服务器，本机离线规则不允许离线注册会员。</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no refunds without it.</source>
      <translation>无法连接服务器，本机离线规则不允许离线退货。</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no points adjustments without it.</source>
      <translation>无法连接服务器，本机离线规则不允许离线调整积分。</translation>
    </message>
    <message>
      <source>Offline: points cannot be redeemed until the server is back (this till's offline rules).</source>
      <translation>离线：服务器恢复前不能使用积分（本机离线规则）。</translation>
    </message>
    <message>
      <source>Offline: fewer points can be redeemed for this member now. Check the points and try again.</source>
      <translation>离线：该会员现在可用的积分较少，请核对积分后重试。</translation>
    </message>
    <message>
      <source>the printer is off or not connected</source>
      <translation>打印机未开机或未连接</translation>
    </message>
    <message>
      <source>the printer is out of paper</source>
      <translation>打印机缺纸</translation>
    </message>
    <message>
      <source>the printer cover is open</source>
      <translation>打印机盖未关</translation>
    </message>
    <message>
      <source>the printer did not answer</source>
      <translation>打印机无响应</translation>
    </message>
    <message>
      <source>the printer reported a problem</source>
      <translation>打印机报告故障</translation>
    </message>
    <message>
      <source>Wrong PIN.</source>
      <translation>密码错误。</translation>
    </message>
    <message>
      <source>Something went wrong: {error}</source>
      <translation>出错了：{error}</translation>
    </message>
    <message>
      <source>Receipt not printed: {why}.</source>
      <translation>小票未打印：{why}。</translation>
    </message>
    <message>
      <source>Wrong PIN. {n} tries left.</source>
      <translation>密码错误，还可尝试 {n} 次。</translation>
    </message>
  </context>
  <context>
    <name>Gifts</name>
    <message>
      <source>This gift is no longer offered.</source>
      <translation>此礼品已不再提供。</translation>
    </message>
    <message>
      <source>This gift is out of stock in this store.</source>
      <translation>本店此礼品已无库存。</translation>
    </message>
    <message>
      <source>The member does not have enough points for this gift.</source>
      <translation>会员积分不足，无法兑换此礼品。</translation>
    </message>
    <message>
      <source>This gift was given back already.</source>
      <translation>此礼品已退回。</translation>
    </message>
    <message>
      <source>This gift was not handed over at this till.</source>
      <translation>此礼品不是在本收银台兑换的。</translation>
    </message>
    <message>
      <source>Gifts for points</source>
      <translation>积分兑换</translation>
    </message>
    <message>
      <source>Given to this member</source>
      <translation>该会员已兑换</translation>
    </message>
    <message>
      <source>Hand over</source>
      <translation>兑换</translation>
    </message>
    <message>
      <source>Give back</source>
      <translation>退回</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>No gifts in this store's catalogue.</source>
      <translation>本店暂无可兑换礼品。</translation>
    </message>
    <message>
      <source>given back</source>
      <translation>已退回</translation>
    </message>
    <message>
      <source>Give back {name}: {points} points return to the member. A supervisor approves.</source>
      <translation>退回{name}：{points} 积分退还会员，需主管批准。</translation>
    </message>
    <message>
      <source>{phone}: {points} points</source>
      <translation>{phone}：{points} 积分</translation>
    </message>
    <message>
      <source>{name} · {points} points · {stock} in stock</source>
      <translation>{name} · {points} 积分 · 库存 {stock}</translation>
    </message>
    <message>
      <source>{name} handed over. Balance: {points} points.</source>
      <translation>{name} 已兑换。积分余额：{points}。</translation>
    </message>
    <message>
      <source>Gift given back: {points} points returned.</source>
      <translation>礼品已退回：退还 {points} 积分。</translation>
    </message>
  </context>
  <context>
    <name>History</name>
    <message>
      <source>No purchases at this till yet.</source>
      <translation>本店此收银台尚无购买记录。</translation>
    </message>
    <message>
      <source>Purchase history</source>
      <translation>购买记录</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>{at}  {items} items  {total}  +{points} points</source>
      <translation>{at}  {items} 件  {total}  +{points} 积分</translation>
    </message>
    <message>
      <source>Purchase history of {member}</source>
      <translation>{member} 的购买记录</translation>
    </message>
    <message>
      <source>{n} visits, {total} in all</source>
      <translation>共 {n} 次消费，合计 {total}</translation>
    </message>
    <message>
      <source>refunded {amount}</source>
      <translation>已退 {amount}</translation>
    </message>
  </context>
  <context>
    <name>Login</name>
    <message>
      <source>Loyalty Till — sign in</source>
      <translation>会员收银台 — 登录</translation>
    </message>
    <message>
      <source>Staff number</source>
      <translation>工号</translation>
    </message>
    <message>
      <source>PIN</source>
      <translation>密码</translation>
    </message>
    <message>
      <source>Sign in</source>
      <translation>登录</translation>
    </message>
    <message>
      <source>中文 / English</source>
      <translation>中文 / English</translation>
    </message>
    <message>
      <source>Cash float in the drawer (¥)</source>
      <translation>钱箱备用金（元）</translation>
    </message>
    <message>
      <source>Open shift</source>
      <translation>开班</translation>
    </message>
    <message>
      <source>Type the cash float in yuan, for example 200 or 200.50.</source>
      <translation>请输入备用金（元），例如 200 或 200.50。</translation>
    </message>
    <message>
      <source>Hello, {name}. No shift is open on this till.</source>
      <translation>{name}，您好。本收银机尚未开班。</translation>
    </message>
    <message>
      <source>{name} · store {store} · till {till}</source>
      <translation>{name} · 门店 {store} · 收银机 {till}</translation>
    </message>
  </context>
  <context>
    <name>Lookup</name>
    <message>
      <source>Looking up the member…</source>
      <translation>正在查找会员…</translation>
    </message>
    <message>
      <source>Press F1 to use this member for the sale.</source>
      <translation>按 F1 将此会员用于本单。</translation>
    </message>
    <message>
      <source>Find a member</source>
      <translation>查找会员</translation>
    </message>
    <message>
      <source>Phone number, card number or member code</source>
      <translation>手机号、卡号或会员码</translation>
    </message>
    <message>
      <source>Mobile number, card number or member code</source>
      <translation>手机号、会员卡号或会员码</translation>
    </message>
    <message>
      <source>Find</source>
      <translation>查找</translation>
    </message>
    <message>
      <source>Use for this sale</source>
      <translation>用于本单</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>手机</translation>
    </message>
    <message>
      <source>Card</source>
      <translation>卡号</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Tier</source>
      <translation>等级</translation>
    </message>
    <message>
      <source>Points</source>
      <translation>积分</translation>
    </message>
    <message>
      <source>Expiring soon</source>
      <translation>即将过期</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Member since</source>
      <translation>入会日期</translation>
    </message>
    <message>
      <source>Coupons</source>
      <translation>优惠券</translation>
    </message>
    <message>
      <source>Next tier</source>
      <translation>下一等级</translation>
    </message>
  </context>
  <context>
    <name>Main</name>
    <message>
      <source>Loyalty Till</source>
      <translation>会员收银台</translation>
    </message>
  </context>
  <context>
    <name>Member</name>
    <message>
      <source>Basic</source>
      <translation>普通会员</translation>
    </message>
    <message>
      <source>Silver</source>
      <translation>银卡</translation>
    </message>
    <message>
      <source>Gold</source>
      <translation>金卡</translation>
    </message>
    <message>
      <source>Black</source>
      <translation>黑卡</translation>
    </message>
    <message>
      <source>new member</source>
      <translation>新会员</translation>
    </message>
    <message>
      <source>active</source>
      <translation>活跃</translation>
    </message>
    <message>
      <source>dormant</source>
      <translation>沉睡</translation>
    </message>
    <message>
      <source>lost</source>
      <translation>流失</translation>
    </message>
    <message>
      <source>core customer</source>
      <translation>核心客户</translation>
    </message>
    <message>
      <source>potential</source>
      <translation>潜力客户</translation>
    </message>
    <message>
      <source>birthday this month</source>
      <translation>本月生日</translation>
    </message>
    <message>
      <source>close to Silver</source>
      <translation>即将升银卡</translation>
    </message>
    <message>
      <source>close to Gold</source>
      <translation>即将升金卡</translation>
    </message>
    <message>
      <source>close to Black</source>
      <translation>即将升黑卡</translation>
    </message>
    <message>
      <source>buys baby products</source>
      <translation>母婴购买</translation>
    </message>
    <message>
      <source>buys organic</source>
      <translation>偏好有机</translation>
    </message>
    <message>
      <source>buys on promotion</source>
      <translation>促销敏感</translation>
    </message>
    <message>
      <source>Free gift</source>
      <translation>赠品券</translation>
    </message>
    <message>
      <source>Extra points</source>
      <translation>积分加倍券</translation>
    </message>
    <message>
      <source>Member</source>
      <translation>会员</translation>
    </message>
    <message>
      <source>Scan the member's code or card, or type the phone number and press Enter. New customer: F4.</source>
      <translation>扫描会员码或会员卡，或输入手机号后回车。新顾客：F4。</translation>
    </message>
    <message>
      <source>Purchase history</source>
      <translation>购买记录</translation>
    </message>
    <message>
      <source>Top tier</source>
      <translation>已是最高等级</translation>
    </message>
    <message>
      <source>age {band}</source>
      <translation>年龄 {band}</translation>
    </message>
    <message>
      <source>{amount} off</source>
      <translation>减{amount}</translation>
    </message>
    <message>
      <source>{percent}% off</source>
      <translation>{percent}%折扣</translation>
    </message>
    <message>
      <source>No coupons</source>
      <translation>无可用优惠券</translation>
    </message>
    <message>
      <source>{amount} more to {tier}</source>
      <translation>再消费{amount}升级{tier}</translation>
    </message>
    <message>
      <source>{amount} off from {threshold}</source>
      <translation>满{threshold}减{amount}</translation>
    </message>
    <message>
      <source>{tier} member</source>
      <translation>{tier}</translation>
    </message>
    <message>
      <source>{points} points</source>
      <translation>{points} 积分</translation>
    </message>
    <message>
      <source>{points} points expire within 60 days</source>
      <translation>{points} 积分将在60天内过期</translation>
    </message>
    <message>
      <source>Coupons ({n})</source>
      <translation>优惠券（{n}）</translation>
    </message>
    <message>
      <source>Profile: {parts}</source>
      <translation>画像：{parts}</translation>
    </message>
    <message>
      <source>Often bought with: {items}</source>
      <translation>常一起买：{items}</translation>
    </message>
  </context>
  <context>
    <name>ProductSearch</name>
    <message>
      <source>Find an item</source>
      <translation>查找商品</translation>
    </message>
    <message>
      <source>Name, pinyin initials (nn = 牛奶) or barcode digits</source>
      <translation>品名、拼音首字母（nn = 牛奶）或条码数字</translation>
    </message>
    <message>
      <source>Add to cart</source>
      <translation>加入购物车</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Nothing found.</source>
      <translation>没有找到。</translation>
    </message>
    <message>
      <source>member {price}</source>
      <translation>会员价 {price}</translation>
    </message>
  </context>
  <context>
    <name>Recall</name>
    <message>
      <source>No suspended sales.</source>
      <translation>没有挂起的交易。</translation>
    </message>
    <message>
      <source>Recall a sale</source>
      <translation>取单</translation>
    </message>
    <message>
      <source>Suspended sales</source>
      <translation>挂起的交易</translation>
    </message>
    <message>
      <source>Recall</source>
      <translation>取单</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>member</source>
      <translation>会员</translation>
    </message>
    <message>
      <source>{at}  {items} items  {total}</source>
      <translation>{at}  {items} 件  {total}</translation>
    </message>
  </context>
  <context>
    <name>Refund</name>
    <message>
      <source>Wrong item</source>
      <translation>拿错商品</translation>
    </message>
    <message>
      <source>Damaged</source>
      <translation>商品损坏</translation>
    </message>
    <message>
      <source>Quality problem</source>
      <translation>质量问题</translation>
    </message>
    <message>
      <source>Past its date</source>
      <translation>商品过期</translation>
    </message>
    <message>
      <source>Customer changed their mind</source>
      <translation>顾客不想要了</translation>
    </message>
    <message>
      <source>Price problem</source>
      <translation>价格问题</translation>
    </message>
    <message>
      <source>Other (say why)</source>
      <translation>其他（请说明）</translation>
    </message>
    <message>
      <source>Refund</source>
      <translation>退货</translation>
    </message>
    <message>
      <source>Receipt number, or scan the receipt's QR code</source>
      <translation>输入小票号，或扫描小票二维码</translation>
    </message>
    <message>
      <source>Find sale</source>
      <translation>查找交易</translation>
    </message>
    <message>
      <source>Refund everything</source>
      <translation>全部退货</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>退货原因</translation>
    </message>
    <message>
      <source>Choose a reason: its number, or F3</source>
      <translation>选择原因：按编号，或 F3</translation>
    </message>
    <message>
      <source>Supervisor number</source>
      <translation>主管工号</translation>
    </message>
    <message>
      <source>PIN</source>
      <translation>密码</translation>
    </message>
    <message>
      <source>Print slip again</source>
      <translation>再打一张退款单</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Everything on this receipt has been refunded already.</source>
      <translation>这张小票上的商品已全部退过。</translation>
    </message>
    <message>
      <source>Say why (needed for Other)</source>
      <translation>请说明原因（选“其他”时必填）</translation>
    </message>
    <message>
      <source>Note (optional)</source>
      <translation>说明（可不填）</translation>
    </message>
    <message>
      <source>Choose what comes back: − / + on each line, F2 for everything.</source>
      <translation>选择退回的商品：每行按 − / +，F2 全部退。</translation>
    </message>
    <message>
      <source>Choose the items to refund (F2: all of them).</source>
      <translation>请选择要退的商品（F2：全部）。</translation>
    </message>
    <message>
      <source>Choose why the goods come back (F3).</source>
      <translation>请选择退货原因（F3）。</translation>
    </message>
    <message>
      <source>Say in a few words why the goods come back.</source>
      <translation>请简单写明退货原因。</translation>
    </message>
    <message>
      <source>Check what will be given back, then press F12 again.</source>
      <translation>请核对退还内容，再按 F12。</translation>
    </message>
    <message>
      <source>A supervisor must approve: number and PIN.</source>
      <translation>须主管授权：工号和密码。</translation>
    </message>
    <message>
      <source>Refunded: give back {money} in cash.</source>
      <translation>退货完成：退还现金 {money}。</translation>
    </message>
    <message>
      <source>Printing the refund slip…</source>
      <translation>正在打印退款单…</translation>
    </message>
    <message>
      <source>Receipt {no} · {at} · paid {total}</source>
      <translation>小票 {no} · {at} · 实付 {total}</translation>
    </message>
    <message>
      <source>Give back {money} in cash.</source>
      <translation>退还现金 {money}。</translation>
    </message>
    <message>
      <source>The whole sale comes back.</source>
      <translation>整单退货。</translation>
    </message>
    <message>
      <source>{item}: only {left} left to refund, {asked} asked for.</source>
      <translation>{item}：只剩 {left} 件可退，要退 {asked} 件。</translation>
    </message>
    <message>
      <source>Points: {taken} taken back, {given} returned.</source>
      <translation>积分：扣回 {taken}，退回 {given}。</translation>
    </message>
    <message>
      <source>Coupons returned: {codes}.</source>
      <translation>退回优惠券：{codes}。</translation>
    </message>
    <message>
      <source>Points: {taken} taken back, {given} given back.</source>
      <translation>积分：扣回 {taken}，退还 {given}。</translation>
    </message>
    <message>
      <source>Press Enter to close.</source>
      <translation>按回车关闭。</translation>
    </message>
    <message>
      <source>F7 prints the slip again.</source>
      <translation>按 F7 重新打印退款单。</translation>
    </message>
    <message>
      <source>Refund slip printed.</source>
      <translation>退款单已打印。</translation>
    </message>
    <message>
      <source>All</source>
      <translation>全部</translation>
    </message>
    <message>
      <source>Item</source>
      <translation>商品</translation>
    </message>
    <message>
      <source>Sold · refunded · left</source>
      <translation>已售 · 已退 · 可退</translation>
    </message>
    <message>
      <source>Paid</source>
      <translation>实付</translation>
    </message>
    <message>
      <source>Refund qty</source>
      <translation>退货数量</translation>
    </message>
    <message>
      <source>{sold} · {refunded} · {left} left</source>
      <translation>{sold} · {refunded} · 可退 {left}</translation>
    </message>
  </context>
  <context>
    <name>Register</name>
    <message>
      <source>✓ Valid mobile number</source>
      <translation>✓ 手机号有效</translation>
    </message>
    <message>
      <source>Continue</source>
      <translation>继续</translation>
    </message>
    <message>
      <source>New member</source>
      <translation>新会员</translation>
    </message>
    <message>
      <source>Mobile number</source>
      <translation>手机号</translation>
    </message>
    <message>
      <source>Name (optional)</source>
      <translation>姓名（选填）</translation>
    </message>
    <message>
      <source>11-digit mobile number</source>
      <translation>11 位手机号</translation>
    </message>
    <message>
      <source>The customer accepts the privacy policy (required) — Ctrl+Space</source>
      <translation>顾客同意隐私政策（必选）— Ctrl+空格</translation>
    </message>
    <message>
      <source>The customer agrees to receive offers (optional)</source>
      <translation>顾客同意接收优惠信息（选填）</translation>
    </message>
    <message>
      <source>Birthday (optional)</source>
      <translation>生日（选填）</translation>
    </message>
    <message>
      <source>Use this member</source>
      <translation>使用该会员</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>The customer must accept the privacy policy to join.</source>
      <translation>顾客须同意隐私政策才能注册。</translation>
    </message>
    <message>
      <source>Welcome! Member card {card}.</source>
      <translation>欢迎入会！会员卡号 {card}。</translation>
    </message>
    <message>
      <source>Press Enter to continue the sale.</source>
      <translation>按回车继续收银。</translation>
    </message>
    <message>
      <source>Register</source>
      <translation>注册</translation>
    </message>
    <message>
      <source>Enter the member's mobile number.</source>
      <translation>请输入会员手机号。</translation>
    </message>
    <message>
      <source>Privacy policy {version}: the store keeps your phone number, purchases and points to run the membership, and never sells them. You may ask to see or delete your data at the service desk at any time.</source>
      <translation>隐私政策 {version}：本店保存您的手机号、购物记录和积分，仅用于会员服务，绝不出售。您可随时到服务台查询或删除您的数据。</translation>
    </message>
    <message>
      <source>Welcome coupon {code} is on the member's account.</source>
      <translation>新人券 {code} 已发放到会员账户。</translation>
    </message>
    <message>
      <source>{phone} is already a member ({tier}). Press F1 to use this member.</source>
      <translation>{phone} 已是会员（{tier}）。按 F1 使用该会员。</translation>
    </message>
  </context>
  <context>
    <name>Settings</name>
    <message>
      <source>the language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>the camera source</source>
      <translation>摄像头来源</translation>
    </message>
    <message>
      <source>the printer type</source>
      <translation>打印机类型</translation>
    </message>
    <message>
      <source>the printer address</source>
      <translation>打印机地址</translation>
    </message>
    <message>
      <source>the printer port (a number from 1 to 65535)</source>
      <translation>打印机端口（1 到 65535 之间的数字）</translation>
    </message>
    <message>
      <source>the paper width (58 or 80 mm)</source>
      <translation>纸宽（58 或 80 毫米）</translation>
    </message>
    <message>
      <source>the reader's key gap (5 to 200 ms)</source>
      <translation>扫码枪按键间隔（5 到 200 毫秒）</translation>
    </message>
    <message>
      <source>the reader's prefix</source>
      <translation>扫码枪前缀</translation>
    </message>
    <message>
      <source>the reader's suffix</source>
      <translation>扫码枪后缀</translation>
    </message>
    <message>
      <source>the serial reader's port</source>
      <translation>串口扫码枪端口</translation>
    </message>
    <message>
      <source>the serial reader's speed (baud)</source>
      <translation>串口扫码枪波特率</translation>
    </message>
    <message>
      <source>Not saved: {why}. The settings file is unchanged.</source>
      <translation>未保存：{why}。设置文件没有改动。</translation>
    </message>
    <message>
      <source>Enrolled: this till is store {store}, terminal {terminal}. Sync starts now.</source>
      <translation>已注册：本收银机为门店 {store}、终端 {terminal}。现在开始同步。</translation>
    </message>
    <message>
      <source>Warning: till.toml names a different store or terminal; ask IT to fix it.</source>
      <translation>注意：till.toml 中的门店或终端与服务器不一致，请联系 IT 修改。</translation>
    </message>
    <message>
      <source>Printing a test receipt…</source>
      <translation>正在打印测试小票…</translation>
    </message>
    <message>
      <source>Saving the settings…</source>
      <translation>正在保存设置…</translation>
    </message>
    <message>
      <source>Saved. The language and the camera on/off apply now; the printer, the camera source and the readers when the till restarts.</source>
      <translation>已保存。语言和摄像头开关立即生效；打印机、摄像头来源和扫码枪在收银机重启后生效。</translation>
    </message>
    <message>
      <source>Enrolling with the server…</source>
      <translation>正在向服务器注册…</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <source>Print a test receipt</source>
      <translation>打印测试小票</translation>
    </message>
    <message>
      <source>Printer type</source>
      <translation>打印机类型</translation>
    </message>
    <message>
      <source>Address (network)</source>
      <translation>地址（网络打印机）</translation>
    </message>
    <message>
      <source>Port (network)</source>
      <translation>端口（网络打印机）</translation>
    </message>
    <message>
      <source>Paper width</source>
      <translation>纸宽</translation>
    </message>
    <message>
      <source>Printer changes apply when the till restarts (Save, F5).</source>
      <translation>打印机设置在收银机重启后生效（保存：F5）。</translation>
    </message>
    <message>
      <source>Use the camera to read member codes</source>
      <translation>使用摄像头读取会员码</translation>
    </message>
    <message>
      <source>Camera source</source>
      <translation>摄像头来源</translation>
    </message>
    <message>
      <source>A device number (0, 1), a video file or a URL; empty for no camera. A new source applies when the till restarts (Save, F5).</source>
      <translation>设备编号（0、1）、视频文件或网址；留空表示不用摄像头。新的来源在收银机重启后生效（保存：F5）。</translation>
    </message>
    <message>
      <source>Keyboard-wedge reader (types like a keyboard)</source>
      <translation>键盘式扫码枪（像键盘一样输入）</translation>
    </message>
    <message>
      <source>Max gap between keys (ms)</source>
      <translation>按键最大间隔（毫秒）</translation>
    </message>
    <message>
      <source>Prefix</source>
      <translation>前缀</translation>
    </message>
    <message>
      <source>Suffix</source>
      <translation>后缀</translation>
    </message>
    <message>
      <source>Serial reader</source>
      <translation>串口扫码枪</translation>
    </message>
    <message>
      <source>Serial port (empty: none)</source>
      <translation>串口（留空：无）</translation>
    </message>
    <message>
      <source>Speed (baud)</source>
      <translation>波特率</translation>
    </message>
    <message>
      <source>Reader changes apply when the till restarts (Save, F5).</source>
      <translation>扫码枪设置在收银机重启后生效（保存：F5）。</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>Server address</source>
      <translation>服务器地址</translation>
    </message>
    <message>
      <source>One-time code</source>
      <translation>一次性注册码</translation>
    </message>
    <message>
      <source>Enrol this till</source>
      <translation>注册本收银机</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Not saved: check {fields}. The settings file is unchanged.</source>
      <translation>未保存：请检查{fields}。设置文件没有改动。</translation>
    </message>
    <message>
      <source>No camera is set up on this till ([scanner] camera).</source>
      <translation>本收银机未设置摄像头（[scanner] camera）。</translation>
    </message>
    <message>
      <source>Nothing changed: the settings file already holds these.</source>
      <translation>没有改动：设置文件中已是这些值。</translation>
    </message>
    <message>
      <source>Type the server address, starting with https://</source>
      <translation>请输入服务器地址，以 https:// 开头</translation>
    </message>
    <message>
      <source>Type the one-time code from head office.</source>
      <translation>请输入总部提供的一次性注册码。</translation>
    </message>
    <message>
      <source>Printer</source>
      <translation>打印机</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>摄像头</translation>
    </message>
    <message>
      <source>Readers</source>
      <translation>扫码枪</translation>
    </message>
    <message>
      <source>Server</source>
      <translation>服务器</translation>
    </message>
    <message>
      <source>The camera is on: hold a member code in front of it.</source>
      <translation>摄像头已开启：请将会员码对准摄像头。</translation>
    </message>
    <message>
      <source>The camera is off.</source>
      <translation>摄像头已关闭。</translation>
    </message>
    <message>
      <source>That enrolment QR cannot be used: show a new code in the HQ console and scan it again.</source>
      <translation>这个登记二维码无法使用：请在总部后台重新生成登记码后再扫描。</translation>
    </message>
    <message>
      <source>Printer: {kind} {where}, {paper} mm paper.</source>
      <translation>打印机：{kind} {where}，{paper} 毫米纸。</translation>
    </message>
    <message>
      <source>Test receipt printed. Check the paper.</source>
      <translation>测试小票已打印，请检查纸张。</translation>
    </message>
    <message>
      <source>Not enrolled: {why}</source>
      <translation>未注册：{why}</translation>
    </message>
  </context>
  <context>
    <name>Shift</name>
    <message>
      <source>Cash</source>
      <translation>现金</translation>
    </message>
    <message>
      <source>Card</source>
      <translation>银行卡</translation>
    </message>
    <message>
      <source>Mobile pay</source>
      <translation>移动支付</translation>
    </message>
    <message>
      <source>X report (shift so far)</source>
      <translation>X 报表（本班至今）</translation>
    </message>
    <message>
      <source>Sales</source>
      <translation>交易笔数</translation>
    </message>
    <message>
      <source>Taken</source>
      <translation>收款</translation>
    </message>
    <message>
      <source>Refunds</source>
      <translation>退货</translation>
    </message>
    <message>
      <source>Member sales</source>
      <translation>会员交易</translation>
    </message>
    <message>
      <source>Coupon discounts</source>
      <translation>优惠券折扣</translation>
    </message>
    <message>
      <source>Points earned / redeemed</source>
      <translation>积分 发放 / 使用</translation>
    </message>
    <message>
      <source>Opening float</source>
      <translation>备用金</translation>
    </message>
    <message>
      <source>Cash expected in the drawer</source>
      <translation>钱箱应有现金</translation>
    </message>
    <message>
      <source>Loading the X report…</source>
      <translation>正在加载 X 报表…</translation>
    </message>
    <message>
      <source>Z report printed.</source>
      <translation>Z 报表已打印。</translation>
    </message>
    <message>
      <source>X report printed.</source>
      <translation>X 报表已打印。</translation>
    </message>
    <message>
      <source>Print Z report</source>
      <translation>打印 Z 报表</translation>
    </message>
    <message>
      <source>The shift is closed. Press Enter to sign out.</source>
      <translation>已交班。按回车退出登录。</translation>
    </message>
    <message>
      <source>Sign out</source>
      <translation>退出登录</translation>
    </message>
    <message>
      <source>Close shift</source>
      <translation>交班</translation>
    </message>
    <message>
      <source>Cash counted in the drawer (¥)</source>
      <translation>钱箱清点现金（元）</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Z report no. {no}</source>
      <translation>Z 报表 第 {no} 号</translation>
    </message>
    <message>
      <source>Cash counted</source>
      <translation>清点现金</translation>
    </message>
    <message>
      <source>Over / short</source>
      <translation>长款 / 短款</translation>
    </message>
    <message>
      <source>Count the cash in the drawer and type it in yuan.</source>
      <translation>请清点钱箱现金并输入金额（元）。</translation>
    </message>
    <message>
      <source>Close shift (Z report)</source>
      <translation>交班（Z 报表）</translation>
    </message>
    <message>
      <source>Print X report</source>
      <translation>打印 X 报表</translation>
    </message>
    <message>
      <source>  by {tender}</source>
      <translation>  其中{tender}</translation>
    </message>
  </context>
  <context>
    <name>Status</name>
    <message>
      <source>Camera: error</source>
      <translation>摄像头：故障</translation>
    </message>
    <message>
      <source>Receipts print no feedback QR until this till is enrolled with the server.</source>
      <translation>本机在服务器登记之前，小票不打印评价二维码。</translation>
    </message>
    <message>
      <source>Camera: none set up</source>
      <translation>摄像头：未设置</translation>
    </message>
    <message>
      <source>No camera source in the settings.</source>
      <translation>设置中没有摄像头来源。</translation>
    </message>
    <message>
      <source>Camera: off</source>
      <translation>摄像头：已关闭</translation>
    </message>
    <message>
      <source>Turned off in the settings.</source>
      <translation>已在设置中关闭。</translation>
    </message>
    <message>
      <source>Camera: on, starting…</source>
      <translation>摄像头：已开启，正在启动…</translation>
    </message>
    <message>
      <source>Camera: on</source>
      <translation>摄像头：已开启</translation>
    </message>
    <message>
      <source>Camera: on, not found</source>
      <translation>摄像头：已开启，未找到设备</translation>
    </message>
    <message>
      <source>Camera: on, reconnecting…</source>
      <translation>摄像头：已开启，正在重新连接…</translation>
    </message>
    <message>
      <source>Printer: checking…</source>
      <translation>打印机：检测中…</translation>
    </message>
    <message>
      <source>Server: not enrolled (sales are kept on this till)</source>
      <translation>服务器：本机未登记（交易保存在本机）</translation>
    </message>
    <message>
      <source>Offline: no server set up (sales are kept on this till)</source>
      <translation>离线：未设置服务器（交易保存在本机）</translation>
    </message>
    <message>
      <source>Waiting to sync: {n}</source>
      <translation>待同步：{n}</translation>
    </message>
    <message>
      <source>Printer: ready</source>
      <translation>打印机：就绪</translation>
    </message>
    <message>
      <source>Printer: {why}</source>
      <translation>打印机：{why}</translation>
    </message>
  </context>
</TS>
