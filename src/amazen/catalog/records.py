"""The normalised records every data source produces.

The demo generator and each dataset reader yield these; the loader is the only code that turns
them into rows. Keeping them plain frozen dataclasses means a reader never needs a database session.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional, Tuple


@dataclass(frozen=True)
class ProductRecord:
    asin: str
    title: Optional[str]  # None when no source gave a usable title
    brand: Optional[str] = None
    price: Optional[Decimal] = None
    # Each path runs from the broadest category to the narrowest, e.g. ("Electronics", "Headphones").
    categories: Tuple[Tuple[str, ...], ...] = ()
    description: Optional[str] = None
    features: Tuple[str, ...] = ()
    image_url: Optional[str] = None
    # True when built from what a review line carries (a TSV row's product_title, say) rather than from
    # metadata: such a record only fills fields the product does not have yet, and never overwrites.
    partial: bool = False


@dataclass(frozen=True)
class ReviewRecord:
    asin: str
    reviewer_id: str
    rating: Optional[int]  # 1..5 stars; None only where a dataset has no ratings (Hu & Liu)
    reviewer_name: Optional[str] = None
    summary: Optional[str] = None
    text: Optional[str] = None
    helpful_votes: int = 0
    verified: bool = False
    reviewed_at: Optional[datetime] = None  # timezone-aware (UTC)
