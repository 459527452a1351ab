"""Names people give resources: varied per seed so that no naming pattern points at the answer."""

from __future__ import annotations

import random

PRODUCTS = [
    "checkout",
    "orders",
    "storefront",
    "billing",
    "booking",
    "catalog",
    "ledger",
    "payments",
    "inventory",
    "profile",
    "quotes",
    "fulfilment",
    "loyalty",
    "pricing",
    "tickets",
    "claims",
]
SERVICES = ["api", "web", "frontend", "backend", "app", "portal", "gateway", "svc", "core", "public"]
WORKERS = ["worker", "jobs", "admin", "internal", "batch", "console", "partner-api", "reports"]
ENVS = ["prod", "prd", "production", "live", "p1"]
FUNCTIONS = [
    "thumbnail-resize",
    "pdf-render",
    "invoice-mailer",
    "webhook-relay",
    "image-optimizer",
    "receipt-generator",
    "address-validate",
    "export-csv",
    "notify-sms",
    "search-indexer",
    "geo-lookup",
    "fraud-score",
    "tax-calc",
    "coupon-check",
]
PEOPLE = [
    "alice.nguyen",
    "bruno.costa",
    "chen.wei",
    "dana.kowalski",
    "emeka.obi",
    "farah.haddad",
    "gustavo.lima",
    "hana.sato",
    "ivan.petrov",
    "julia.schmidt",
    "karim.benali",
    "lena.johansson",
    "marco.rossi",
    "nadia.ivanova",
    "oscar.mendes",
    "priya.raman",
    "quentin.moreau",
    "rosa.alvarez",
    "sven.larsen",
    "tomas.novak",
]


def joined(rng: random.Random, *parts: str) -> str:
    """Join name parts with the separator a team would pick, dropping empty parts."""
    sep = rng.choice(["-", "-", "-", "_"])
    return sep.join(p for p in parts if p)


def pick(rng: random.Random, pool: list[str], taken: set[str] | None = None) -> str:
    options = [p for p in pool if not taken or p not in taken]
    choice = rng.choice(options)
    if taken is not None:
        taken.add(choice)
    return choice
