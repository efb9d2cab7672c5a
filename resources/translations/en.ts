<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
  <context>
    <name>Approval</name>
    <message>
      <source>Supervisor approval</source>
      <translation>Supervisor approval</translation>
    </message>
    <message>
      <source>Supervisor number</source>
      <translation>Supervisor number</translation>
    </message>
    <message>
      <source>Supervisor PIN</source>
      <translation>Supervisor PIN</translation>
    </message>
    <message>
      <source>Approve</source>
      <translation>Approve</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>Checkout</name>
    <message>
      <source>Item</source>
      <translation>Item</translation>
    </message>
    <message>
      <source>Qty</source>
      <translation>Qty</translation>
    </message>
    <message>
      <source>Price</source>
      <translation>Price</translation>
    </message>
    <message>
      <source>Discount</source>
      <translation>Discount</translation>
    </message>
    <message>
      <source>Amount</source>
      <translation>Amount</translation>
    </message>
    <message>
      <source>Looking up the member…</source>
      <translation>Looking up the member…</translation>
    </message>
    <message>
      <source>Member: {phone}.</source>
      <translation>Member: {phone}.</translation>
    </message>
    <message>
      <source>Last payment taken off.</source>
      <translation>Last payment taken off.</translation>
    </message>
    <message>
      <source>Completing the sale…</source>
      <translation>Completing the sale…</translation>
    </message>
    <message>
      <source>Not completed: {why}</source>
      <translation>Not completed: {why}</translation>
    </message>
    <message>
      <source>Printing…</source>
      <translation>Printing…</translation>
    </message>
    <message>
      <source>Points capped at {points} (at most half of the sale).</source>
      <translation>Points capped at {points} (at most half of the sale).</translation>
    </message>
    <message>
      <source>Scan the items first.</source>
      <translation>Scan the items first.</translation>
    </message>
    <message>
      <source>The cart is empty.</source>
      <translation>The cart is empty.</translation>
    </message>
    <message>
      <source>Pricing…</source>
      <translation>Pricing…</translation>
    </message>
    <message>
      <source>Not fully paid: {due} still to pay (total {total}).</source>
      <translation>Not fully paid: {due} still to pay (total {total}).</translation>
    </message>
    <message>
      <source>Offline: this sale earns no points (this till's offline rules).</source>
      <translation>Offline: this sale earns no points (this till's offline rules).</translation>
    </message>
    <message>
      <source>Unknown barcode {sku}: not added.</source>
      <translation>Unknown barcode {sku}: not added.</translation>
    </message>
    <message>
      <source>Type the amount received in yuan, then press the tender key.</source>
      <translation>Type the amount received in yuan, then press the tender key.</translation>
    </message>
    <message>
      <source>{tender} cannot be more than what is left to pay; only cash gives change.</source>
      <translation>{tender} cannot be more than what is left to pay; only cash gives change.</translation>
    </message>
    <message>
      <source>That is the QR that enrols this till with head office: a supervisor scans it in Settings, Server.</source>
      <translation>That is the QR that enrols this till with head office: a supervisor scans it in Settings, Server.</translation>
    </message>
    <message>
      <source>Identify the member first.</source>
      <translation>Identify the member first.</translation>
    </message>
    <message>
      <source>A supervisor opens the settings.</source>
      <translation>A supervisor opens the settings.</translation>
    </message>
    <message>
      <source>Finish or void the current sale before closing the shift.</source>
      <translation>Finish or void the current sale before closing the shift.</translation>
    </message>
    <message>
      <source>Scan or type a barcode, member code, phone or coupon — Enter</source>
      <translation>Scan or type a barcode, member code, phone or coupon — Enter</translation>
    </message>
    <message>
      <source>Member</source>
      <translation>Member</translation>
    </message>
    <message>
      <source>Quantity</source>
      <translation>Quantity</translation>
    </message>
    <message>
      <source>Remove line</source>
      <translation>Remove line</translation>
    </message>
    <message>
      <source>New member</source>
      <translation>New member</translation>
    </message>
    <message>
      <source>Use points</source>
      <translation>Use points</translation>
    </message>
    <message>
      <source>Refund</source>
      <translation>Refund</translation>
    </message>
    <message>
      <source>Reprint</source>
      <translation>Reprint</translation>
    </message>
    <message>
      <source>Cash</source>
      <translation>Cash</translation>
    </message>
    <message>
      <source>Card</source>
      <translation>Card</translation>
    </message>
    <message>
      <source>Mobile pay</source>
      <translation>Mobile pay</translation>
    </message>
    <message>
      <source>Close shift</source>
      <translation>Close shift</translation>
    </message>
    <message>
      <source>Pay</source>
      <translation>Pay</translation>
    </message>
    <message>
      <source>Clear</source>
      <translation>Clear</translation>
    </message>
    <message>
      <source>中文 / English</source>
      <translation>中文 / English</translation>
    </message>
    <message>
      <source>Find member</source>
      <translation>Find member</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Settings</translation>
    </message>
    <message>
      <source>Exact cash</source>
      <translation>Exact cash</translation>
    </message>
    <message>
      <source>Void sale</source>
      <translation>Void sale</translation>
    </message>
    <message>
      <source>Hold / recall</source>
      <translation>Hold / recall</translation>
    </message>
    <message>
      <source>Price check</source>
      <translation>Price check</translation>
    </message>
    <message>
      <source>Find item</source>
      <translation>Find item</translation>
    </message>
    <message>
      <source>Change price</source>
      <translation>Change price</translation>
    </message>
    <message>
      <source>Reprint receipt</source>
      <translation>Reprint receipt</translation>
    </message>
    <message>
      <source>{tender} {amount}</source>
      <translation>{tender} {amount}</translation>
    </message>
    <message>
      <source>Pay by: {tender}</source>
      <translation>Pay by: {tender}</translation>
    </message>
    <message>
      <source>{a} + {b}</source>
      <translation>{a} + {b}</translation>
    </message>
    <message>
      <source>Can redeem up to {points} points ({value}) now; steps of {step}, at most half of the sale. F5</source>
      <translation>Can redeem up to {points} points ({value}) now; steps of {step}, at most half of the sale. F5</translation>
    </message>
    <message>
      <source>Points cannot be redeemed: in steps of {step}, up to the balance.</source>
      <translation>Points cannot be redeemed: in steps of {step}, up to the balance.</translation>
    </message>
    <message>
      <source>price</source>
      <translation>price</translation>
    </message>
    <message>
      <source>Total {amount}</source>
      <translation>Total {amount}</translation>
    </message>
    <message>
      <source>Total …</source>
      <translation>Total …</translation>
    </message>
    <message>
      <source>Offline: points cannot be redeemed until the server is back (this till's offline rules).</source>
      <translation>Offline: points cannot be redeemed until the server is back (this till's offline rules).</translation>
    </message>
    <message>
      <source>Offline: at most {cap} points can be redeemed now (the last balance the server confirmed, {known}, minus {since} redeemed at this till since).</source>
      <translation>Offline: at most {cap} points can be redeemed now (the last balance the server confirmed, {known}, minus {since} redeemed at this till since).</translation>
    </message>
    <message>
      <source>Items</source>
      <translation>Items</translation>
    </message>
    <message>
      <source>Subtotal</source>
      <translation>Subtotal</translation>
    </message>
    <message>
      <source>Change {amount}</source>
      <translation>Change {amount}</translation>
    </message>
    <message>
      <source>Price changes</source>
      <translation>Price changes</translation>
    </message>
    <message>
      <source>Member prices</source>
      <translation>Member prices</translation>
    </message>
    <message>
      <source>Coupons</source>
      <translation>Coupons</translation>
    </message>
    <message>
      <source>Points ({points})</source>
      <translation>Points ({points})</translation>
    </message>
    <message>
      <source>Points earned</source>
      <translation>Points earned</translation>
    </message>
    <message>
      <source>Type the phone number or card number, then press F1.</source>
      <translation>Type the phone number or card number, then press F1.</translation>
    </message>
    <message>
      <source>Cashier: {name}</source>
      <translation>Cashier: {name}</translation>
    </message>
    <message>
      <source>it is applied already</source>
      <translation>it is applied already</translation>
    </message>
    <message>
      <source>it is not valid yet</source>
      <translation>it is not valid yet</translation>
    </message>
    <message>
      <source>it has expired</source>
      <translation>it has expired</translation>
    </message>
    <message>
      <source>it is for members: identify the member first</source>
      <translation>it is for members: identify the member first</translation>
    </message>
    <message>
      <source>it cannot be combined with the other coupon</source>
      <translation>it cannot be combined with the other coupon</translation>
    </message>
    <message>
      <source>no item in the cart is one it applies to</source>
      <translation>no item in the cart is one it applies to</translation>
    </message>
    <message>
      <source>the items it applies to do not reach its minimum spend</source>
      <translation>the items it applies to do not reach its minimum spend</translation>
    </message>
    <message>
      <source>there is no such coupon</source>
      <translation>there is no such coupon</translation>
    </message>
    <message>
      <source>it has been used already</source>
      <translation>it has been used already</translation>
    </message>
    <message>
      <source>it belongs to another member</source>
      <translation>it belongs to another member</translation>
    </message>
    <message>
      <source>it would give nothing on this sale (no money off, no extra points)</source>
      <translation>it would give nothing on this sale (no money off, no extra points)</translation>
    </message>
    <message>
      <source>Coupon {code} not applied: {why}. It is not used up.</source>
      <translation>Coupon {code} not applied: {why}. It is not used up.</translation>
    </message>
    <message>
      <source>Coupon {code} cannot be used on this sale.</source>
      <translation>Coupon {code} cannot be used on this sale.</translation>
    </message>
    <message>
      <source>Redeem {points} points for {value}? F5 applies, Esc cancels.</source>
      <translation>Redeem {points} points for {value}? F5 applies, Esc cancels.</translation>
    </message>
    <message>
      <source>Scan the items first, then apply the coupon.</source>
      <translation>Scan the items first, then apply the coupon.</translation>
    </message>
    <message>
      <source>Coupon {code} applied.</source>
      <translation>Coupon {code} applied.</translation>
    </message>
    <message>
      <source>Coupon {code} taken off.</source>
      <translation>Coupon {code} taken off.</translation>
    </message>
    <message>
      <source>Offline: coupons cannot be used until the server is back (this till's offline rules).</source>
      <translation>Offline: coupons cannot be used until the server is back (this till's offline rules).</translation>
    </message>
    <message>
      <source>No points can be redeemed on this sale now.</source>
      <translation>No points can be redeemed on this sale now.</translation>
    </message>
    <message>
      <source>Redeem in steps of {step}, at most {limit} points ({value}) now.</source>
      <translation>Redeem in steps of {step}, at most {limit} points ({value}) now.</translation>
    </message>
    <message>
      <source>Redeeming {points} points ({value}).</source>
      <translation>Redeeming {points} points ({value}).</translation>
    </message>
    <message>
      <source>No points redeemed.</source>
      <translation>No points redeemed.</translation>
    </message>
    <message>
      <source>Type the points (500) or the amount (¥5.00) to redeem, then press F5.</source>
      <translation>Type the points (500) or the amount (¥5.00) to redeem, then press F5.</translation>
    </message>
    <message>
      <source>Change the price</source>
      <translation>Change the price</translation>
    </message>
    <message>
      <source>Percent off</source>
      <translation>Percent off</translation>
    </message>
    <message>
      <source>New price</source>
      <translation>New price</translation>
    </message>
    <message>
      <source>Approve the price</source>
      <translation>Approve the price</translation>
    </message>
    <message>
      <source>New price (yuan)</source>
      <translation>New price (yuan)</translation>
    </message>
    <message>
      <source>Type the percent off (1-100).</source>
      <translation>Type the percent off (1-100).</translation>
    </message>
    <message>
      <source>Type the new price in yuan.</source>
      <translation>Type the new price in yuan.</translation>
    </message>
    <message>
      <source>Damaged packaging</source>
      <translation>Damaged packaging</translation>
    </message>
    <message>
      <source>Close to its expiry date</source>
      <translation>Close to its expiry date</translation>
    </message>
    <message>
      <source>Shelf price differs</source>
      <translation>Shelf price differs</translation>
    </message>
    <message>
      <source>Customer complaint</source>
      <translation>Customer complaint</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>Other</translation>
    </message>
    <message>
      <source>Change the price of {qty} × {name} (now {price})</source>
      <translation>Change the price of {qty} × {name} (now {price})</translation>
    </message>
    <message>
      <source>{percent}% off</source>
      <translation>{percent}% off</translation>
    </message>
    <message>
      <source>new price {price}</source>
      <translation>new price {price}</translation>
    </message>
    <message>
      <source>Price changed: {name}, {what}.</source>
      <translation>Price changed: {name}, {what}.</translation>
    </message>
    <message>
      <source>The cart changed meanwhile; change the price again.</source>
      <translation>The cart changed meanwhile; change the price again.</translation>
    </message>
    <message>
      <source>Customer changed their mind</source>
      <translation>Customer changed their mind</translation>
    </message>
    <message>
      <source>Customer cannot pay</source>
      <translation>Customer cannot pay</translation>
    </message>
    <message>
      <source>Wrong items rung up</source>
      <translation>Wrong items rung up</translation>
    </message>
    <message>
      <source>Remove {qty} × {name} from the cart?</source>
      <translation>Remove {qty} × {name} from the cart?</translation>
    </message>
    <message>
      <source>Removed: {qty} × {name}.</source>
      <translation>Removed: {qty} × {name}.</translation>
    </message>
    <message>
      <source>Void the whole sale ({n} lines, {total})?</source>
      <translation>Void the whole sale ({n} lines, {total})?</translation>
    </message>
    <message>
      <source>Sale voided ({n} lines, {total}).</source>
      <translation>Sale voided ({n} lines, {total}).</translation>
    </message>
    <message>
      <source>Type the quantity (1-999), then press F2.</source>
      <translation>Type the quantity (1-999), then press F2.</translation>
    </message>
    <message>
      <source>A weighed item is sold by its label; scan another label for more.</source>
      <translation>A weighed item is sold by its label; scan another label for more.</translation>
    </message>
    <message>
      <source>Sale suspended ({total}). Recall it with Shift+F11.</source>
      <translation>Sale suspended ({total}). Recall it with Shift+F11.</translation>
    </message>
    <message>
      <source>Finish or suspend the current sale before recalling another.</source>
      <translation>Finish or suspend the current sale before recalling another.</translation>
    </message>
    <message>
      <source>Sale recalled: {n} items.</source>
      <translation>Sale recalled: {n} items.</translation>
    </message>
    <message>
      <source>Price check: scan an item to see its price (nothing is added). Ctrl+K again to sell.</source>
      <translation>Price check: scan an item to see its price (nothing is added). Ctrl+K again to sell.</translation>
    </message>
    <message>
      <source>Price check off: scans are sold again.</source>
      <translation>Price check off: scans are sold again.</translation>
    </message>
    <message>
      <source>Price check: {name} {price}, member price {member}.</source>
      <translation>Price check: {name} {price}, member price {member}.</translation>
    </message>
    <message>
      <source>Price check: {name} {price}.</source>
      <translation>Price check: {name} {price}.</translation>
    </message>
    <message>
      <source>Void the sale</source>
      <translation>Void the sale</translation>
    </message>
  </context>
  <context>
    <name>Errors</name>
    <message>
      <source>No staff member with this number.</source>
      <translation>No staff member with this number.</translation>
    </message>
    <message>
      <source>This staff member is locked after too many wrong PINs. A manager must unlock.</source>
      <translation>This staff member is locked after too many wrong PINs. A manager must unlock.</translation>
    </message>
    <message>
      <source>A supervisor must approve this.</source>
      <translation>A supervisor must approve this.</translation>
    </message>
    <message>
      <source>Another staff member must approve this.</source>
      <translation>Another staff member must approve this.</translation>
    </message>
    <message>
      <source>This staff member cannot approve that.</source>
      <translation>This staff member cannot approve that.</translation>
    </message>
    <message>
      <source>The float cannot be negative.</source>
      <translation>The float cannot be negative.</translation>
    </message>
    <message>
      <source>A shift is already open on this till.</source>
      <translation>A shift is already open on this till.</translation>
    </message>
    <message>
      <source>No such shift.</source>
      <translation>No such shift.</translation>
    </message>
    <message>
      <source>The cart is empty.</source>
      <translation>The cart is empty.</translation>
    </message>
    <message>
      <source>Unknown barcode.</source>
      <translation>Unknown barcode.</translation>
    </message>
    <message>
      <source>Quantity must be at least 1.</source>
      <translation>Quantity must be at least 1.</translation>
    </message>
    <message>
      <source>No such member.</source>
      <translation>No such member.</translation>
    </message>
    <message>
      <source>No member with this code.</source>
      <translation>No member with this code.</translation>
    </message>
    <message>
      <source>No member with this card.</source>
      <translation>No member with this card.</translation>
    </message>
    <message>
      <source>No member with this phone number.</source>
      <translation>No member with this phone number.</translation>
    </message>
    <message>
      <source>Scan a member code or type a phone number.</source>
      <translation>Scan a member code or type a phone number.</translation>
    </message>
    <message>
      <source>The total changed since it was shown; check the cart and try again.</source>
      <translation>The total changed since it was shown; check the cart and try again.</translation>
    </message>
    <message>
      <source>The payment is short of the total.</source>
      <translation>The payment is short of the total.</translation>
    </message>
    <message>
      <source>Only cash can give change.</source>
      <translation>Only cash can give change.</translation>
    </message>
    <message>
      <source>A payment must be more than zero.</source>
      <translation>A payment must be more than zero.</translation>
    </message>
    <message>
      <source>This phone number already belongs to a member.</source>
      <translation>This phone number already belongs to a member.</translation>
    </message>
    <message>
      <source>The member must accept the privacy policy to join.</source>
      <translation>The member must accept the privacy policy to join.</translation>
    </message>
    <message>
      <source>Enter the member's mobile number.</source>
      <translation>Enter the member's mobile number.</translation>
    </message>
    <message>
      <source>That is not a phone number: use digits only.</source>
      <translation>That is not a phone number: use digits only.</translation>
    </message>
    <message>
      <source>The phone number is too short (a mainland mobile number has 11 digits).</source>
      <translation>The phone number is too short (a mainland mobile number has 11 digits).</translation>
    </message>
    <message>
      <source>The phone number is too long (a mainland mobile number has 11 digits).</source>
      <translation>The phone number is too long (a mainland mobile number has 11 digits).</translation>
    </message>
    <message>
      <source>This is not a mobile number.</source>
      <translation>This is not a mobile number.</translation>
    </message>
    <message>
      <source>This phone number is not valid.</source>
      <translation>This phone number is not valid.</translation>
    </message>
    <message>
      <source>This is not a valid member code. Look the member up by phone number.</source>
      <translation>This is not a valid member code. Look the member up by phone number.</translation>
    </message>
    <message>
      <source>This member code comes from a till this one does not know yet.</source>
      <translation>This member code comes from a till this one does not know yet.</translation>
    </message>
    <message>
      <source>This member code is not genuine. Look the member up by phone number.</source>
      <translation>This member code is not genuine. Look the member up by phone number.</translation>
    </message>
    <message>
      <source>This member code has expired. Ask the customer to refresh it.</source>
      <translation>This member code has expired. Ask the customer to refresh it.</translation>
    </message>
    <message>
      <source>This member code is dated in the future. Check the till's clock.</source>
      <translation>This member code is dated in the future. Check the till's clock.</translation>
    </message>
    <message>
      <source>This member code or card has been blocked.</source>
      <translation>This member code or card has been blocked.</translation>
    </message>
    <message>
      <source>No sale with this receipt number.</source>
      <translation>No sale with this receipt number.</translation>
    </message>
    <message>
      <source>This receipt was issued at another till: refund or reprint it at that till.</source>
      <translation>This receipt was issued at another till: refund or reprint it at that till.</translation>
    </message>
    <message>
      <source>Choose at least one item to refund.</source>
      <translation>Choose at least one item to refund.</translation>
    </message>
    <message>
      <source>More than what is left to refund on a line.</source>
      <translation>More than what is left to refund on a line.</translation>
    </message>
    <message>
      <source>The sale has no such line.</source>
      <translation>The sale has no such line.</translation>
    </message>
    <message>
      <source>A refund quantity is not valid.</source>
      <translation>A refund quantity is not valid.</translation>
    </message>
    <message>
      <source>Nothing to void.</source>
      <translation>Nothing to void.</translation>
    </message>
    <message>
      <source>This code is not one of this till's receipts.</source>
      <translation>This code is not one of this till's receipts.</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no sales without it.</source>
      <translation>The server cannot be reached, and this till's offline rules allow no sales without it.</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no registration without it.</source>
      <translation>The server cannot be reached, and this till's offline rules allow no registration without it.</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no refunds without it.</source>
      <translation>The server cannot be reached, and this till's offline rules allow no refunds without it.</translation>
    </message>
    <message>
      <source>The server cannot be reached, and this till's offline rules allow no points adjustments without it.</source>
      <translation>The server cannot be reached, and this till's offline rules allow no points adjustments without it.</translation>
    </message>
    <message>
      <source>Offline: points cannot be redeemed until the server is back (this till's offline rules).</source>
      <translation>Offline: points cannot be redeemed until the server is back (this till's offline rules).</translation>
    </message>
    <message>
      <source>Offline: fewer points can be redeemed for this member now. Check the points and try again.</source>
      <translation>Offline: fewer points can be redeemed for this member now. Check the points and try again.</translation>
    </message>
    <message>
      <source>the printer is off or not connected</source>
      <translation>the printer is off or not connected</translation>
    </message>
    <message>
      <source>the printer is out of paper</source>
      <translation>the printer is out of paper</translation>
    </message>
    <message>
      <source>the printer cover is open</source>
      <translation>the printer cover is open</translation>
    </message>
    <message>
      <source>the printer did not answer</source>
      <translation>the printer did not answer</translation>
    </message>
    <message>
      <source>the printer reported a problem</source>
      <translation>the printer reported a problem</translation>
    </message>
    <message>
      <source>Wrong PIN.</source>
      <translation>Wrong PIN.</translation>
    </message>
    <message>
      <source>Something went wrong: {error}</source>
      <translation>Something went wrong: {error}</translation>
    </message>
    <message>
      <source>Receipt not printed: {why}.</source>
      <translation>Receipt not printed: {why}.</translation>
    </message>
    <message>
      <source>Wrong PIN. {n} tries left.</source>
      <translation>Wrong PIN. {n} tries left.</translation>
    </message>
  </context>
  <context>
    <name>Gifts</name>
    <message>
      <source>This gift is no longer offered.</source>
      <translation>This gift is no longer offered.</translation>
    </message>
    <message>
      <source>This gift is out of stock in this store.</source>
      <translation>This gift is out of stock in this store.</translation>
    </message>
    <message>
      <source>The member does not have enough points for this gift.</source>
      <translation>The member does not have enough points for this gift.</translation>
    </message>
    <message>
      <source>This gift was given back already.</source>
      <translation>This gift was given back already.</translation>
    </message>
    <message>
      <source>This gift was not handed over at this till.</source>
      <translation>This gift was not handed over at this till.</translation>
    </message>
    <message>
      <source>Gifts for points</source>
      <translation>Gifts for points</translation>
    </message>
    <message>
      <source>Given to this member</source>
      <translation>Given to this member</translation>
    </message>
    <message>
      <source>Hand over</source>
      <translation>Hand over</translation>
    </message>
    <message>
      <source>Give back</source>
      <translation>Give back</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Close</translation>
    </message>
    <message>
      <source>No gifts in this store's catalogue.</source>
      <translation>No gifts in this store's catalogue.</translation>
    </message>
    <message>
      <source>given back</source>
      <translation>given back</translation>
    </message>
    <message>
      <source>Give back {name}: {points} points return to the member. A supervisor approves.</source>
      <translation>Give back {name}: {points} points return to the member. A supervisor approves.</translation>
    </message>
    <message>
      <source>{phone}: {points} points</source>
      <translation>{phone}: {points} points</translation>
    </message>
    <message>
      <source>{name} · {points} points · {stock} in stock</source>
      <translation>{name} · {points} points · {stock} in stock</translation>
    </message>
    <message>
      <source>{name} handed over. Balance: {points} points.</source>
      <translation>{name} handed over. Balance: {points} points.</translation>
    </message>
    <message>
      <source>Gift given back: {points} points returned.</source>
      <translation>Gift given back: {points} points returned.</translation>
    </message>
  </context>
  <context>
    <name>History</name>
    <message>
      <source>No purchases at this till yet.</source>
      <translation>No purchases at this till yet.</translation>
    </message>
    <message>
      <source>Purchase history</source>
      <translation>Purchase history</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Close</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>{at}  {items} items  {total}  +{points} points</source>
      <translation>{at}  {items} items  {total}  +{points} points</translation>
    </message>
    <message>
      <source>Purchase history of {member}</source>
      <translation>Purchase history of {member}</translation>
    </message>
    <message>
      <source>{n} visits, {total} in all</source>
      <translation>{n} visits, {total} in all</translation>
    </message>
    <message>
      <source>refunded {amount}</source>
      <translation>refunded {amount}</translation>
    </message>
  </context>
  <context>
    <name>Login</name>
    <message>
      <source>Loyalty Till — sign in</source>
      <translation>Loyalty Till — sign in</translation>
    </message>
    <message>
      <source>Staff number</source>
      <translation>Staff number</translation>
    </message>
    <message>
      <source>PIN</source>
      <translation>PIN</translation>
    </message>
    <message>
      <source>Sign in</source>
      <translation>Sign in</translation>
    </message>
    <message>
      <source>中文 / English</source>
      <translation>中文 / English</translation>
    </message>
    <message>
      <source>Cash float in the drawer (¥)</source>
      <translation>Cash float in the drawer (¥)</translation>
    </message>
    <message>
      <source>Open shift</source>
      <translation>Open shift</translation>
    </message>
    <message>
      <source>Type the cash float in yuan, for example 200 or 200.50.</source>
      <translation>Type the cash float in yuan, for example 200 or 200.50.</translation>
    </message>
    <message>
      <source>Hello, {name}. No shift is open on this till.</source>
      <translation>Hello, {name}. No shift is open on this till.</translation>
    </message>
    <message>
      <source>{name} · store {store} · till {till}</source>
      <translation>{name} · store {store} · till {till}</translation>
    </message>
  </context>
  <context>
    <name>Lookup</name>
    <message>
      <source>Looking up the member…</source>
      <translation>Looking up the member…</translation>
    </message>
    <message>
      <source>Press F1 to use this member for the sale.</source>
      <translation>Press F1 to use this member for the sale.</translation>
    </message>
    <message>
      <source>Find a member</source>
      <translation>Find a member</translation>
    </message>
    <message>
      <source>Phone number, card number or member code</source>
      <translation>Phone number, card number or member code</translation>
    </message>
    <message>
      <source>Mobile number, card number or member code</source>
      <translation>Mobile number, card number or member code</translation>
    </message>
    <message>
      <source>Find</source>
      <translation>Find</translation>
    </message>
    <message>
      <source>Use for this sale</source>
      <translation>Use for this sale</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>Phone</translation>
    </message>
    <message>
      <source>Card</source>
      <translation>Card</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>Name</translation>
    </message>
    <message>
      <source>Tier</source>
      <translation>Tier</translation>
    </message>
    <message>
      <source>Points</source>
      <translation>Points</translation>
    </message>
    <message>
      <source>Expiring soon</source>
      <translation>Expiring soon</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>Member since</source>
      <translation>Member since</translation>
    </message>
    <message>
      <source>Coupons</source>
      <translation>Coupons</translation>
    </message>
    <message>
      <source>Next tier</source>
      <translation>Next tier</translation>
    </message>
  </context>
  <context>
    <name>Main</name>
    <message>
      <source>Loyalty Till</source>
      <translation>Loyalty Till</translation>
    </message>
  </context>
  <context>
    <name>Member</name>
    <message>
      <source>Basic</source>
      <translation>Basic</translation>
    </message>
    <message>
      <source>Silver</source>
      <translation>Silver</translation>
    </message>
    <message>
      <source>Gold</source>
      <translation>Gold</translation>
    </message>
    <message>
      <source>Black</source>
      <translation>Black</translation>
    </message>
    <message>
      <source>new member</source>
      <translation>new member</translation>
    </message>
    <message>
      <source>active</source>
      <translation>active</translation>
    </message>
    <message>
      <source>dormant</source>
      <translation>dormant</translation>
    </message>
    <message>
      <source>lost</source>
      <translation>lost</translation>
    </message>
    <message>
      <source>core customer</source>
      <translation>core customer</translation>
    </message>
    <message>
      <source>potential</source>
      <translation>potential</translation>
    </message>
    <message>
      <source>birthday this month</source>
      <translation>birthday this month</translation>
    </message>
    <message>
      <source>close to Silver</source>
      <translation>close to Silver</translation>
    </message>
    <message>
      <source>close to Gold</source>
      <translation>close to Gold</translation>
    </message>
    <message>
      <source>close to Black</source>
      <translation>close to Black</translation>
    </message>
    <message>
      <source>buys baby products</source>
      <translation>buys baby products</translation>
    </message>
    <message>
      <source>buys organic</source>
      <translation>buys organic</translation>
    </message>
    <message>
      <source>buys on promotion</source>
      <translation>buys on promotion</translation>
    </message>
    <message>
      <source>Free gift</source>
      <translation>Free gift</translation>
    </message>
    <message>
      <source>Extra points</source>
      <translation>Extra points</translation>
    </message>
    <message>
      <source>Member</source>
      <translation>Member</translation>
    </message>
    <message>
      <source>Scan the member's code or card, or type the phone number and press Enter. New customer: F4.</source>
      <translation>Scan the member's code or card, or type the phone number and press Enter. New customer: F4.</translation>
    </message>
    <message>
      <source>Purchase history</source>
      <translation>Purchase history</translation>
    </message>
    <message>
      <source>Top tier</source>
      <translation>Top tier</translation>
    </message>
    <message>
      <source>age {band}</source>
      <translation>age {band}</translation>
    </message>
    <message>
      <source>{amount} off</source>
      <translation>{amount} off</translation>
    </message>
    <message>
      <source>{percent}% off</source>
      <translation>{percent}% off</translation>
    </message>
    <message>
      <source>No coupons</source>
      <translation>No coupons</translation>
    </message>
    <message>
      <source>{amount} more to {tier}</source>
      <translation>{amount} more to {tier}</translation>
    </message>
    <message>
      <source>{amount} off from {threshold}</source>
      <translation>{amount} off from {threshold}</translation>
    </message>
    <message>
      <source>{tier} member</source>
      <translation>{tier} member</translation>
    </message>
    <message>
      <source>{points} points</source>
      <translation>{points} points</translation>
    </message>
    <message>
      <source>{points} points expire within 60 days</source>
      <translation>{points} points expire within 60 days</translation>
    </message>
    <message>
      <source>Coupons ({n})</source>
      <translation>Coupons ({n})</translation>
    </message>
    <message>
      <source>Profile: {parts}</source>
      <translation>Profile: {parts}</translation>
    </message>
    <message>
      <source>Often bought with: {items}</source>
      <translation>Often bought with: {items}</translation>
    </message>
  </context>
  <context>
    <name>ProductSearch</name>
    <message>
      <source>Find an item</source>
      <translation>Find an item</translation>
    </message>
    <message>
      <source>Name, pinyin initials (nn = 牛奶) or barcode digits</source>
      <translation>Name, pinyin initials (nn = 牛奶) or barcode digits</translation>
    </message>
    <message>
      <source>Add to cart</source>
      <translation>Add to cart</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>Nothing found.</source>
      <translation>Nothing found.</translation>
    </message>
    <message>
      <source>member {price}</source>
      <translation>member {price}</translation>
    </message>
  </context>
  <context>
    <name>Recall</name>
    <message>
      <source>No suspended sales.</source>
      <translation>No suspended sales.</translation>
    </message>
    <message>
      <source>Recall a sale</source>
      <translation>Recall a sale</translation>
    </message>
    <message>
      <source>Suspended sales</source>
      <translation>Suspended sales</translation>
    </message>
    <message>
      <source>Recall</source>
      <translation>Recall</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>member</source>
      <translation>member</translation>
    </message>
    <message>
      <source>{at}  {items} items  {total}</source>
      <translation>{at}  {items} items  {total}</translation>
    </message>
  </context>
  <context>
    <name>Refund</name>
    <message>
      <source>Wrong item</source>
      <translation>Wrong item</translation>
    </message>
    <message>
      <source>Damaged</source>
      <translation>Damaged</translation>
    </message>
    <message>
      <source>Quality problem</source>
      <translation>Quality problem</translation>
    </message>
    <message>
      <source>Past its date</source>
      <translation>Past its date</translation>
    </message>
    <message>
      <source>Customer changed their mind</source>
      <translation>Customer changed their mind</translation>
    </message>
    <message>
      <source>Price problem</source>
      <translation>Price problem</translation>
    </message>
    <message>
      <source>Other (say why)</source>
      <translation>Other (say why)</translation>
    </message>
    <message>
      <source>Refund</source>
      <translation>Refund</translation>
    </message>
    <message>
      <source>Receipt number, or scan the receipt's QR code</source>
      <translation>Receipt number, or scan the receipt's QR code</translation>
    </message>
    <message>
      <source>Find sale</source>
      <translation>Find sale</translation>
    </message>
    <message>
      <source>Refund everything</source>
      <translation>Refund everything</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Reason</translation>
    </message>
    <message>
      <source>Choose a reason: its number, or F3</source>
      <translation>Choose a reason: its number, or F3</translation>
    </message>
    <message>
      <source>Supervisor number</source>
      <translation>Supervisor number</translation>
    </message>
    <message>
      <source>PIN</source>
      <translation>PIN</translation>
    </message>
    <message>
      <source>Print slip again</source>
      <translation>Print slip again</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>Everything on this receipt has been refunded already.</source>
      <translation>Everything on this receipt has been refunded already.</translation>
    </message>
    <message>
      <source>Say why (needed for Other)</source>
      <translation>Say why (needed for Other)</translation>
    </message>
    <message>
      <source>Note (optional)</source>
      <translation>Note (optional)</translation>
    </message>
    <message>
      <source>Choose what comes back: − / + on each line, F2 for everything.</source>
      <translation>Choose what comes back: − / + on each line, F2 for everything.</translation>
    </message>
    <message>
      <source>Choose the items to refund (F2: all of them).</source>
      <translation>Choose the items to refund (F2: all of them).</translation>
    </message>
    <message>
      <source>Choose why the goods come back (F3).</source>
      <translation>Choose why the goods come back (F3).</translation>
    </message>
    <message>
      <source>Say in a few words why the goods come back.</source>
      <translation>Say in a few words why the goods come back.</translation>
    </message>
    <message>
      <source>Check what will be given back, then press F12 again.</source>
      <translation>Check what will be given back, then press F12 again.</translation>
    </message>
    <message>
      <source>A supervisor must approve: number and PIN.</source>
      <translation>A supervisor must approve: number and PIN.</translation>
    </message>
    <message>
      <source>Refunded: give back {money} in cash.</source>
      <translation>Refunded: give back {money} in cash.</translation>
    </message>
    <message>
      <source>Printing the refund slip…</source>
      <translation>Printing the refund slip…</translation>
    </message>
    <message>
      <source>Receipt {no} · {at} · paid {total}</source>
      <translation>Receipt {no} · {at} · paid {total}</translation>
    </message>
    <message>
      <source>Give back {money} in cash.</source>
      <translation>Give back {money} in cash.</translation>
    </message>
    <message>
      <source>The whole sale comes back.</source>
      <translation>The whole sale comes back.</translation>
    </message>
    <message>
      <source>{item}: only {left} left to refund, {asked} asked for.</source>
      <translation>{item}: only {left} left to refund, {asked} asked for.</translation>
    </message>
    <message>
      <source>Points: {taken} taken back, {given} returned.</source>
      <translation>Points: {taken} taken back, {given} returned.</translation>
    </message>
    <message>
      <source>Coupons returned: {codes}.</source>
      <translation>Coupons returned: {codes}.</translation>
    </message>
    <message>
      <source>Points: {taken} taken back, {given} given back.</source>
      <translation>Points: {taken} taken back, {given} given back.</translation>
    </message>
    <message>
      <source>Press Enter to close.</source>
      <translation>Press Enter to close.</translation>
    </message>
    <message>
      <source>F7 prints the slip again.</source>
      <translation>F7 prints the slip again.</translation>
    </message>
    <message>
      <source>Refund slip printed.</source>
      <translation>Refund slip printed.</translation>
    </message>
    <message>
      <source>All</source>
      <translation>All</translation>
    </message>
    <message>
      <source>Item</source>
      <translation>Item</translation>
    </message>
    <message>
      <source>Sold · refunded · left</source>
      <translation>Sold · refunded · left</translation>
    </message>
    <message>
      <source>Paid</source>
      <translation>Paid</translation>
    </message>
    <message>
      <source>Refund qty</source>
      <translation>Refund qty</translation>
    </message>
    <message>
      <source>{sold} · {refunded} · {left} left</source>
      <translation>{sold} · {refunded} · {left} left</translation>
    </message>
  </context>
  <context>
    <name>Register</name>
    <message>
      <source>✓ Valid mobile number</source>
      <translation>✓ Valid mobile number</translation>
    </message>
    <message>
      <source>Continue</source>
      <translation>Continue</translation>
    </message>
    <message>
      <source>New member</source>
      <translation>New member</translation>
    </message>
    <message>
      <source>Mobile number</source>
      <translation>Mobile number</translation>
    </message>
    <message>
      <source>Name (optional)</source>
      <translation>Name (optional)</translation>
    </message>
    <message>
      <source>11-digit mobile number</source>
      <translation>11-digit mobile number</translation>
    </message>
    <message>
      <source>The customer accepts the privacy policy (required) — Ctrl+Space</source>
      <translation>The customer accepts the privacy policy (required) — Ctrl+Space</translation>
    </message>
    <message>
      <source>The customer agrees to receive offers (optional)</source>
      <translation>The customer agrees to receive offers (optional)</translation>
    </message>
    <message>
      <source>Birthday (optional)</source>
      <translation>Birthday (optional)</translation>
    </message>
    <message>
      <source>Use this member</source>
      <translation>Use this member</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>The customer must accept the privacy policy to join.</source>
      <translation>The customer must accept the privacy policy to join.</translation>
    </message>
    <message>
      <source>Welcome! Member card {card}.</source>
      <translation>Welcome! Member card {card}.</translation>
    </message>
    <message>
      <source>Press Enter to continue the sale.</source>
      <translation>Press Enter to continue the sale.</translation>
    </message>
    <message>
      <source>Register</source>
      <translation>Register</translation>
    </message>
    <message>
      <source>Enter the member's mobile number.</source>
      <translation>Enter the member's mobile number.</translation>
    </message>
    <message>
      <source>Privacy policy {version}: the store keeps your phone number, purchases and points to run the membership, and never sells them. You may ask to see or delete your data at the service desk at any time.</source>
      <translation>Privacy policy {version}: the store keeps your phone number, purchases and points to run the membership, and never sells them. You may ask to see or delete your data at the service desk at any time.</translation>
    </message>
    <message>
      <source>Welcome coupon {code} is on the member's account.</source>
      <translation>Welcome coupon {code} is on the member's account.</translation>
    </message>
    <message>
      <source>{phone} is already a member ({tier}). Press F1 to use this member.</source>
      <translation>{phone} is already a member ({tier}). Press F1 to use this member.</translation>
    </message>
  </context>
  <context>
    <name>Settings</name>
    <message>
      <source>the language</source>
      <translation>the language</translation>
    </message>
    <message>
      <source>the camera source</source>
      <translation>the camera source</translation>
    </message>
    <message>
      <source>the printer type</source>
      <translation>the printer type</translation>
    </message>
    <message>
      <source>the printer address</source>
      <translation>the printer address</translation>
    </message>
    <message>
      <source>the printer port (a number from 1 to 65535)</source>
      <translation>the printer port (a number from 1 to 65535)</translation>
    </message>
    <message>
      <source>the paper width (58 or 80 mm)</source>
      <translation>the paper width (58 or 80 mm)</translation>
    </message>
    <message>
      <source>the reader's key gap (5 to 200 ms)</source>
      <translation>the reader's key gap (5 to 200 ms)</translation>
    </message>
    <message>
      <source>the reader's prefix</source>
      <translation>the reader's prefix</translation>
    </message>
    <message>
      <source>the reader's suffix</source>
      <translation>the reader's suffix</translation>
    </message>
    <message>
      <source>the serial reader's port</source>
      <translation>the serial reader's port</translation>
    </message>
    <message>
      <source>the serial reader's speed (baud)</source>
      <translation>the serial reader's speed (baud)</translation>
    </message>
    <message>
      <source>Not saved: {why}. The settings file is unchanged.</source>
      <translation>Not saved: {why}. The settings file is unchanged.</translation>
    </message>
    <message>
      <source>Enrolled: this till is store {store}, terminal {terminal}. Sync starts now.</source>
      <translation>Enrolled: this till is store {store}, terminal {terminal}. Sync starts now.</translation>
    </message>
    <message>
      <source>Warning: till.toml names a different store or terminal; ask IT to fix it.</source>
      <translation>Warning: till.toml names a different store or terminal; ask IT to fix it.</translation>
    </message>
    <message>
      <source>Printing a test receipt…</source>
      <translation>Printing a test receipt…</translation>
    </message>
    <message>
      <source>Saving the settings…</source>
      <translation>Saving the settings…</translation>
    </message>
    <message>
      <source>Saved. The language and the camera on/off apply now; the printer, the camera source and the readers when the till restarts.</source>
      <translation>Saved. The language and the camera on/off apply now; the printer, the camera source and the readers when the till restarts.</translation>
    </message>
    <message>
      <source>Enrolling with the server…</source>
      <translation>Enrolling with the server…</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Settings</translation>
    </message>
    <message>
      <source>Print a test receipt</source>
      <translation>Print a test receipt</translation>
    </message>
    <message>
      <source>Printer type</source>
      <translation>Printer type</translation>
    </message>
    <message>
      <source>Address (network)</source>
      <translation>Address (network)</translation>
    </message>
    <message>
      <source>Port (network)</source>
      <translation>Port (network)</translation>
    </message>
    <message>
      <source>Paper width</source>
      <translation>Paper width</translation>
    </message>
    <message>
      <source>Printer changes apply when the till restarts (Save, F5).</source>
      <translation>Printer changes apply when the till restarts (Save, F5).</translation>
    </message>
    <message>
      <source>Use the camera to read member codes</source>
      <translation>Use the camera to read member codes</translation>
    </message>
    <message>
      <source>Camera source</source>
      <translation>Camera source</translation>
    </message>
    <message>
      <source>A device number (0, 1), a video file or a URL; empty for no camera. A new source applies when the till restarts (Save, F5).</source>
      <translation>A device number (0, 1), a video file or a URL; empty for no camera. A new source applies when the till restarts (Save, F5).</translation>
    </message>
    <message>
      <source>Keyboard-wedge reader (types like a keyboard)</source>
      <translation>Keyboard-wedge reader (types like a keyboard)</translation>
    </message>
    <message>
      <source>Max gap between keys (ms)</source>
      <translation>Max gap between keys (ms)</translation>
    </message>
    <message>
      <source>Prefix</source>
      <translation>Prefix</translation>
    </message>
    <message>
      <source>Suffix</source>
      <translation>Suffix</translation>
    </message>
    <message>
      <source>Serial reader</source>
      <translation>Serial reader</translation>
    </message>
    <message>
      <source>Serial port (empty: none)</source>
      <translation>Serial port (empty: none)</translation>
    </message>
    <message>
      <source>Speed (baud)</source>
      <translation>Speed (baud)</translation>
    </message>
    <message>
      <source>Reader changes apply when the till restarts (Save, F5).</source>
      <translation>Reader changes apply when the till restarts (Save, F5).</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>Save</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Language</translation>
    </message>
    <message>
      <source>Server address</source>
      <translation>Server address</translation>
    </message>
    <message>
      <source>One-time code</source>
      <translation>One-time code</translation>
    </message>
    <message>
      <source>Enrol this till</source>
      <translation>Enrol this till</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Close</translation>
    </message>
    <message>
      <source>Not saved: check {fields}. The settings file is unchanged.</source>
      <translation>Not saved: check {fields}. The settings file is unchanged.</translation>
    </message>
    <message>
      <source>No camera is set up on this till ([scanner] camera).</source>
      <translation>No camera is set up on this till ([scanner] camera).</translation>
    </message>
    <message>
      <source>Nothing changed: the settings file already holds these.</source>
      <translation>Nothing changed: the settings file already holds these.</translation>
    </message>
    <message>
      <source>Type the server address, starting with https://</source>
      <translation>Type the server address, starting with https://</translation>
    </message>
    <message>
      <source>Type the one-time code from head office.</source>
      <translation>Type the one-time code from head office.</translation>
    </message>
    <message>
      <source>Printer</source>
      <translation>Printer</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>Camera</translation>
    </message>
    <message>
      <source>Readers</source>
      <translation>Readers</translation>
    </message>
    <message>
      <source>Server</source>
      <translation>Server</translation>
    </message>
    <message>
      <source>The camera is on: hold a member code in front of it.</source>
      <translation>The camera is on: hold a member code in front of it.</translation>
    </message>
    <message>
      <source>The camera is off.</source>
      <translation>The camera is off.</translation>
    </message>
    <message>
      <source>That enrolment QR cannot be used: show a new code in the HQ console and scan it again.</source>
      <translation>That enrolment QR cannot be used: show a new code in the HQ console and scan it again.</translation>
    </message>
    <message>
      <source>Printer: {kind} {where}, {paper} mm paper.</source>
      <translation>Printer: {kind} {where}, {paper} mm paper.</translation>
    </message>
    <message>
      <source>Test receipt printed. Check the paper.</source>
      <translation>Test receipt printed. Check the paper.</translation>
    </message>
    <message>
      <source>Not enrolled: {why}</source>
      <translation>Not enrolled: {why}</translation>
    </message>
  </context>
  <context>
    <name>Shift</name>
    <message>
      <source>Cash</source>
      <translation>Cash</translation>
    </message>
    <message>
      <source>Card</source>
      <translation>Card</translation>
    </message>
    <message>
      <source>Mobile pay</source>
      <translation>Mobile pay</translation>
    </message>
    <message>
      <source>X report (shift so far)</source>
      <translation>X report (shift so far)</translation>
    </message>
    <message>
      <source>Sales</source>
      <translation>Sales</translation>
    </message>
    <message>
      <source>Taken</source>
      <translation>Taken</translation>
    </message>
    <message>
      <source>Refunds</source>
      <translation>Refunds</translation>
    </message>
    <message>
      <source>Member sales</source>
      <translation>Member sales</translation>
    </message>
    <message>
      <source>Coupon discounts</source>
      <translation>Coupon discounts</translation>
    </message>
    <message>
      <source>Points earned / redeemed</source>
      <translation>Points earned / redeemed</translation>
    </message>
    <message>
      <source>Opening float</source>
      <translation>Opening float</translation>
    </message>
    <message>
      <source>Cash expected in the drawer</source>
      <translation>Cash expected in the drawer</translation>
    </message>
    <message>
      <source>Loading the X report…</source>
      <translation>Loading the X report…</translation>
    </message>
    <message>
      <source>Z report printed.</source>
      <translation>Z report printed.</translation>
    </message>
    <message>
      <source>X report printed.</source>
      <translation>X report printed.</translation>
    </message>
    <message>
      <source>Print Z report</source>
      <translation>Print Z report</translation>
    </message>
    <message>
      <source>The shift is closed. Press Enter to sign out.</source>
      <translation>The shift is closed. Press Enter to sign out.</translation>
    </message>
    <message>
      <source>Sign out</source>
      <translation>Sign out</translation>
    </message>
    <message>
      <source>Close shift</source>
      <translation>Close shift</translation>
    </message>
    <message>
      <source>Cash counted in the drawer (¥)</source>
      <translation>Cash counted in the drawer (¥)</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>Z report no. {no}</source>
      <translation>Z report no. {no}</translation>
    </message>
    <message>
      <source>Cash counted</source>
      <translation>Cash counted</translation>
    </message>
    <message>
      <source>Over / short</source>
      <translation>Over / short</translation>
    </message>
    <message>
      <source>Count the cash in the drawer and type it in yuan.</source>
      <translation>Count the cash in the drawer and type it in yuan.</translation>
    </message>
    <message>
      <source>Close shift (Z report)</source>
      <translation>Close shift (Z report)</translation>
    </message>
    <message>
      <source>Print X report</source>
      <translation>Print X report</translation>
    </message>
    <message>
      <source>  by {tender}</source>
      <translation>  by {tender}</translation>
    </message>
  </context>
  <context>
    <name>Status</name>
    <message>
      <source>Camera: error</source>
      <translation>Camera: error</translation>
    </message>
    <message>
      <source>Receipts print no feedback QR until this till is enrolled with the server.</source>
      <translation>Receipts print no feedback QR until this till is enrolled with the server.</translation>
    </message>
    <message>
      <source>Camera: none set up</source>
      <translation>Camera: none set up</translation>
    </message>
    <message>
      <source>No camera source in the settings.</source>
      <translation>No camera source in the settings.</translation>
    </message>
    <message>
      <source>Camera: off</source>
      <translation>Camera: off</translation>
    </message>
    <message>
      <source>Turned off in the settings.</source>
      <translation>Turned off in the settings.</translation>
    </message>
    <message>
      <source>Camera: on, starting…</source>
      <translation>Camera: on, starting…</translation>
    </message>
    <message>
      <source>Camera: on</source>
      <translation>Camera: on</translation>
    </message>
    <message>
      <source>Camera: on, not found</source>
      <translation>Camera: on, not found</translation>
    </message>
    <message>
      <source>Camera: on, reconnecting…</source>
      <translation>Camera: on, reconnecting…</translation>
    </message>
    <message>
      <source>Printer: checking…</source>
      <translation>Printer: checking…</translation>
    </message>
    <message>
      <source>Server: not enrolled (sales are kept on this till)</source>
      <translation>Server: not enrolled (sales are kept on this till)</translation>
    </message>
    <message>
      <source>Offline: no server set up (sales are kept on this till)</source>
      <translation>Offline: no server set up (sales are kept on this till)</translation>
    </message>
    <message>
      <source>Waiting to sync: {n}</source>
      <translation>Waiting to sync: {n}</translation>
    </message>
    <message>
      <source>Printer: ready</source>
      <translation>Printer: ready</translation>
    </message>
    <message>
      <source>Printer: {why}</source>
      <translation>Printer: {why}</translation>
    </message>
  </context>
</TS>
