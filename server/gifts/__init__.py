"""Points for gifts (积分兑换): HQ's gift catalogue with stock per store (`models`, `service`),
pulled by tills as `gift` changes, redeemed at a till (`gift.redeemed`, reversible with
`gift.reversed`: `server/push/handlers/gifts.py`), `till-server gift ...` (`cli`) and the
JSON API under /api/v1/gifts (`routes`)."""
