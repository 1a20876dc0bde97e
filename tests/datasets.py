"""The public Amazon review datasets the tests read, by file (see PROVENANCE.md beside them).

Their directory is AMAZEN_DATA_DIR, or ../shared/data/amazon beside the checkout. The files are named
rather than globbed, so that collecting the tests never depends on them being there; a test that reads
them asks for the ``amazon_data`` fixture (tests/conftest.py), which skips it when they are missing.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AMAZON_DATA = Path(os.environ.get("AMAZEN_DATA_DIR") or REPO.parent / "shared" / "data" / "amazon")
AMAZON_DATASETS = ("huliu2004", "mdsd_blitzer2007", "messy_samples", "ni2018_giftcards")

# Ni et al. 2018, Gift Cards: five-core reviews and metadata.
GIFT_REVIEWS = AMAZON_DATA / "ni2018_giftcards" / "Gift_Cards_5.json"
GIFT_META = AMAZON_DATA / "ni2018_giftcards" / "meta_Gift_Cards.json"
# Samples of other files, with their quirks.
MUSIC_REVIEWS = AMAZON_DATA / "messy_samples" / "reviews_Musical_Instruments_5_first50.json"
TOY_META = AMAZON_DATA / "messy_samples" / "toy_data_meta.json"
APPLIANCES_META = AMAZON_DATA / "messy_samples" / "meta_Appliances_first100.json"
TSV = AMAZON_DATA / "messy_samples" / "amazon_reviews_us_Gift_Card_v1_00_head1452.tsv"
DATAFINITI = AMAZON_DATA / "messy_samples" / "datafiniti_7817_1_first100.csv"
JSON_FILES = [GIFT_REVIEWS, GIFT_META, APPLIANCES_META, MUSIC_REVIEWS, TOY_META]
# Blitzer et al. 2007, the Multi-Domain Sentiment Dataset: negative and positive reviews per category.
MDSD_ELECTRONICS = [AMAZON_DATA / "mdsd_blitzer2007" / "electronics" / f"{kind}.review" for kind in ("negative", "positive")]
MDSD_BOOKS = [AMAZON_DATA / "mdsd_blitzer2007" / "books" / f"{kind}.review" for kind in ("negative", "positive")]
MDSD = MDSD_BOOKS + MDSD_ELECTRONICS
# Hu and Liu 2004: annotated reviews of five products, and the dataset's Readme.
HULIU = [
    AMAZON_DATA / "huliu2004" / f"{name}.txt"
    for name in (
        "Apex AD2600 Progressive-scan DVD player",
        "Canon G3",
        "Creative Labs Nomad Jukebox Zen Xtra 40GB",
        "Nikon coolpix 4300",
        "Nokia 6610",
    )
]
HULIU_README = AMAZON_DATA / "huliu2004" / "Readme.txt"


def missing_datasets():
    return [name for name in AMAZON_DATASETS if not (AMAZON_DATA / name).is_dir()]
