"""Pricing: one pure engine for the checkout and for `till quote`.

- `app.pricing.model`: the frozen input (`Basket`, ...) and output (`Quote`, ...) values.
- `app.pricing.engine.price(basket) -> Quote`: the quote contract's rules, in order.
- `app.pricing.jsonio`: `parse_basket`, `quote_to_json`, `run_quote` (the contract's JSON).
"""
