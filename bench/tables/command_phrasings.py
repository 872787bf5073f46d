"""A table of ways reps phrase /deal concede and /deal ask, written blind."""

# Deal context: list $100,000 USD, floor $70,000, nothing conceded yet
# (net $100,000), contract term 12 months.

PHRASINGS: list[tuple[str, str, str, float | None, str | None]] = [
    # (command, text after the deal name, type, value, get)

    # --- concede: amounts off ---
    ("concede", "10k off", "cut", 10000, None),
    ("concede", "ten grand off", "cut", 10000, None),
    ("concede", "take 15k off the price", "cut", 15000, None),
    ("concede", "knock 4k off", "cut", 4000, None),
    ("concede", "$5,000 off", "cut", 5000, None),
    ("concede", "5K off", "cut", 5000, None),
    ("concede", "5 grand off", "cut", 5000, None),
    ("concede", "five thousand off", "cut", 5000, None),
    ("concede", "8000", "cut", 8000, None),
    ("concede", "another 5k off", "cut", 5000, None),
    ("concede", "additional 3k off", "cut", 3000, None),
    ("concede", "an extra 2 grand off", "cut", 2000, None),
    ("concede", "$7,500 off", "cut", 7500, None),
    ("concede", "2.5k off", "cut", 2500, None),
    ("concede", "5k off provided they pay upfront", "cut", 5000, "they pay upfront"),
    ("concede", "12 grand off for a case study", "cut", 12000, "a case study"),
    ("concede", "10k of", "cut", 10000, None),  # typo: "of" for "off"

    # --- concede: percent of list ---
    ("concede", "5 percent", "percent", 5, None),
    ("concede", "7.5% discount", "percent", 7.5, None),
    ("concede", "an extra 3%", "percent", 3, None),
    ("concede", "another 5%", "percent", 5, None),
    ("concede", "five percent off", "percent", 5, None),
    ("concede", "ten percent", "percent", 10, None),
    ("concede", "5 pct", "percent", 5, None),
    ("concede", "an additional 2% discount", "percent", 2, None),
    ("concede", "12.5% off list", "percent", 12.5, None),
    ("concede", "1% off for a case study", "percent", 1, "a case study"),
    ("concede", "10% in exchange for a 2 year term", "percent", 10, "a 2 year term"),
    ("concede", "12% if they sign by friday", "percent", 12, "they sign by friday"),
    ("concede", "8% off as long as they sign this quarter", "percent", 8, "they sign this quarter"),
    ("concede", "3% off in exchange for an annual prepay", "percent", 3, "an annual prepay"),
    ("concede", "15 percent discount for a logo on their site", "percent", 15, "a logo on their site"),
    ("concede", "10% for nothing", "percent", 10, None),
    ("concede", "5 percnet", "percent", 5, None),  # typo
    ("concede", "7% discunt for a referral", "percent", 7, "a referral"),  # typo

    # --- concede: new total price ---
    ("concede", "down to 90k", "price", 90000, None),
    ("concede", "we can do 92,500", "price", 92500, None),
    ("concede", "$95k", "price", 95000, None),
    ("concede", "meet them at 91k", "price", 91000, None),
    ("concede", "settle at 92.5k", "price", 92500, None),
    ("concede", "92500", "price", 92500, None),
    ("concede", "90000", "price", 90000, None),
    ("concede", "drop to 88k", "price", 88000, None),
    ("concede", "come down to 85,000", "price", 85000, None),
    ("concede", "settle at 87,500", "price", 87500, None),
    ("concede", "meet them at $93,000", "price", 93000, None),
    ("concede", "take it down to 89k", "price", 89000, None),
    ("concede", "down to 90k if they sign by end of month", "price", 90000, "they sign by end of month"),
    ("concede", "we can do 95k for a 2 year commitment", "price", 95000, "a 2 year commitment"),
    ("concede", "dwon to 90k", "price", 90000, None),  # typo

    # --- concede: free items ---
    ("concede", "3 months free", "free", 3, None),
    ("concede", "first month free", "free", 1, None),
    ("concede", "two months free", "free", 2, None),
    ("concede", "2 months free in exchange for a 3 year term", "free", 2, "a 3 year term"),
    ("concede", "free onboarding", "free", None, None),
    ("concede", "onboarding for free", "free", None, None),
    ("concede", "free onboarding for a case study", "free", None, "a case study"),
    ("concede", "5 free seats", "free", None, None),
    ("concede", "free training for a case study", "free", None, "a case study"),

    # --- concede: terms ---
    ("concede", "net 60", "terms", None, None),
    ("concede", "net 45 payment terms", "terms", None, None),
    ("concede", "quarterly billing", "terms", None, None),
    ("concede", "price lock on renewal", "terms", None, None),
    ("concede", "opt-out after 6 months", "terms", None, None),
    ("concede", "net 90 if they sign by friday", "terms", None, "they sign by friday"),

    # --- ask ---
    ("ask", "they want 15% off", "percent", 15, None),
    ("ask", "15% off", "percent", 15, None),
    ("ask", "20% discount", "percent", 20, None),
    ("ask", "25 percent off", "percent", 25, None),
    ("ask", "an extra 5%", "percent", 5, None),
    ("ask", "a 12% discount", "percent", 12, None),
    ("ask", "they want 8.5% off", "percent", 8.5, None),
    ("ask", "they asked for ten percent off", "percent", 10, None),
    ("ask", "they wnat 15% off", "percent", 15, None),  # typo
    ("ask", "they want 10k off", "cut", 10000, None),
    ("ask", "knock 20k off", "cut", 20000, None),
    ("ask", "$15,000 off", "cut", 15000, None),
    ("ask", "another 5k off", "cut", 5000, None),
    ("ask", "price of 85k", "price", 85000, None),
    ("ask", "can we do 80k", "price", 80000, None),
    ("ask", "they want to pay 75k", "price", 75000, None),
    ("ask", "can we get to 85,000", "price", 85000, None),
    ("ask", "want it at 80 grand", "price", 80000, None),
    ("ask", "a free month", "free", 1, None),
    ("ask", "3 months free", "free", 3, None),
    ("ask", "two months free", "free", 2, None),
    ("ask", "free onboarding", "free", None, None),
    ("ask", "free training", "free", None, None),
    ("ask", "10 free seats", "free", None, None),
    ("ask", "asking for net 90", "terms", None, None),
    ("ask", "net 45", "terms", None, None),
    ("ask", "quarterly billing", "terms", None, None),
    ("ask", "monthly billing instead of annual", "terms", None, None),
    ("ask", "price lock on renewal", "terms", None, None),
    ("ask", "an opt-out after year one", "terms", None, None),
]
