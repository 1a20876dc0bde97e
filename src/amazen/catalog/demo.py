"""A deterministic, streaming generator of a realistic demo catalog with reviews.

``generate()`` yields each ``ProductRecord`` immediately followed by its ``ReviewRecord``s. Every
product gets its own ``random.Random`` seeded from ``(seed, index)``, so nothing has to be kept from one
product to the next: memory stays constant however many products are asked for, and the first ``n``
products of a larger catalog are the same as those of ``generate(products=n)`` (same seed and
``mean_reviews``).

Each product has hidden per-attribute qualities (e.g. comfort, bass, battery life for headphones).
Reviews are written from them: a review's star rating comes from the product's overall quality plus
reviewer noise, and each attribute it mentions is praised or criticised with a probability that depends
on both that attribute's quality and the star rating, so the text agrees with the stars (mostly) and
products with a weak spot collect complaints about that spot.

Run ``python -m amazen.catalog.demo [products] [seed]`` for a short summary.
"""

import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from amazen.catalog.records import ProductRecord, ReviewRecord

_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# ASINs are "B0" + 8 base-36 digits. The index is scrambled with an affine map modulo 36**8 so that
# neighbouring products don't get neighbouring ASINs; the multiplier is coprime with 36, which makes the
# map a bijection, so ASINs never collide.
_ASIN_SPACE = 36**8
_ASIN_MULTIPLIER = 1743541808669
_ASIN_OFFSET = 987654321
MAX_PRODUCTS = _ASIN_SPACE

# Reviewers are drawn from one large pool shared by all products, skewed so that a few reviewers write
# many reviews (as on Amazon). The pool size does not depend on the catalog size so that a small catalog
# is a prefix of a larger one.
_REVIEWER_POOL = 10_000_000

_MASK64 = (1 << 64) - 1

_START = datetime(2015, 1, 1, tzinfo=timezone.utc).timestamp()
_END = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
# Products launch early enough to collect reviews before _END.
_LAST_LAUNCH = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()

_DEFECT_RATE = 0.03  # reviews about a unit that arrived broken or died early: one or two stars
_TYPO_RATE = 0.03
_NO_PRICE_RATE = 0.03
_FLAW_RATE = 0.3  # products that are fine overall but bad at one thing ("great sound, not comfortable")

# How many attributes a review talks about: 0 (just "Love it!") to 4.
_MENTION_COUNTS = (0, 1, 2, 3, 4)
_MENTION_CUM_WEIGHTS = (12, 42, 72, 90, 100)


@dataclass(frozen=True)
class _Attribute:
    """One aspect reviewers talk about, with sentences and summary phrases for both polarities."""

    name: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]  # many use negations ("not comfortable at all") on purpose
    praise: tuple[str, ...]  # short review titles, e.g. "Great sound"
    complaint: tuple[str, ...]  # e.g. "Not comfortable"


@dataclass(frozen=True)
class _Category:
    path: tuple[str, ...]
    item: str  # how a reviewer refers to the product: "these headphones", "this knife"
    brands: tuple[str, ...]
    model_prefixes: tuple[str, ...]
    kinds: tuple[str, ...]  # the product type in titles; may use {fields}
    title_extras: tuple[str, ...]  # noun phrases appended to titles ("with ..."); may use {fields}
    price_range: tuple[float, float]  # dollars, low and high
    fields: dict[str, tuple] = field(repr=False)  # numbers shared by title, description and features
    descriptions: tuple[str, ...]
    features: tuple[str, ...]
    fillers: tuple[str, ...]  # neutral, category-specific sentences ("I use them on my commute.")
    defects: tuple[str, ...]  # what a broken unit's review says
    attributes: tuple[_Attribute, ...]
    also_in: tuple[tuple[str, ...], ...] = ()  # secondary category paths some products also get


_HEADPHONES = _Category(
    path=("Electronics", "Headphones"),
    item="these headphones",
    brands=("Sonique", "Aurelio", "Tunebolt", "Hushwave", "Veloaudio", "Kinetik", "Bassline", "Echora"),
    model_prefixes=("Q", "Life ", "Space ", "H", "Studio ", "Air ", "Pro "),
    kinds=(
        "Wireless Over-Ear Headphones",
        "Bluetooth On-Ear Headphones",
        "Hybrid Active Noise Cancelling Headphones",
        "Foldable Bluetooth Headphones",
        "Wireless Gaming Headphones",
        "Over-Ear Studio Headphones",
    ),
    title_extras=(
        "Active Noise Cancelling",
        "{hours}H Playtime",
        "Hi-Res Audio",
        "Deep Bass",
        "Built-in Mic",
        "Memory Foam Ear Cups",
        "Bluetooth {bt}",
        "Multipoint Connection",
        "Transparency Mode",
    ),
    price_range=(19.0, 349.0),
    fields={
        "hours": (30, 40, 50, 60, 65),
        "driver_mm": (40, 50),
        "bt": ("5.0", "5.2", "5.3"),
        "anc": (90, 95, 98),
    },
    descriptions=(
        "The {brand} {model} delivers rich, detailed sound through custom {driver_mm}mm dynamic drivers.",
        "Hybrid active noise cancelling reduces up to {anc}% of ambient noise on planes, trains and in busy offices.",
        "Enjoy up to {hours} hours of playtime on a single charge, and a 5-minute charge adds another 4 hours.",
        "Memory foam ear cushions and an adjustable headband keep you comfortable through long listening sessions.",
        "Bluetooth {bt} keeps the connection stable and pairs instantly with phones, tablets and laptops.",
        "A foldable design and the included travel case make them easy to take anywhere.",
    ),
    features=(
        "IMMERSIVE SOUND: {driver_mm}mm drivers deliver deep bass and crisp highs",
        "ACTIVE NOISE CANCELLING: blocks up to {anc}% of background noise so you can focus",
        "{hours}H PLAYTIME: listen all week on a single charge; fast charging gives 4 hours in 5 minutes",
        "ALL-DAY COMFORT: protein leather ear cups with soft memory foam",
        "CLEAR CALLS: built-in microphones with wind noise reduction",
        "MULTIPOINT: connect to two devices at once via Bluetooth {bt}",
        "WHAT YOU GET: headphones, travel case, USB-C cable, 3.5mm audio cable",
    ),
    fillers=(
        "I use them mostly on my commute.",
        "I wear them at the gym most days.",
        "Bought these for working from home.",
        "I mostly listen to podcasts and some rock.",
        "Pairing took a couple of seconds.",
    ),
    defects=(
        "The right side stopped working after two weeks.",
        "They won't turn on anymore after a month.",
        "One ear cup cut out completely after a few days.",
        "They stopped charging after three weeks.",
    ),
    attributes=(
        _Attribute(
            "comfort",
            positive=(
                "They are super comfortable, even after hours of wear.",
                "So comfortable I forget I'm wearing them.",
                "The ear cushions are soft and very comfortable.",
                "Comfortable enough to wear on a long flight.",
            ),
            negative=(
                "They are not comfortable at all after an hour.",
                "Honestly, they are not comfortable at all.",
                "The headband isn't very comfortable and presses on the top of my head.",
                "They hurt my ears after about 30 minutes.",
                "The ear cups get hot and uncomfortable.",
            ),
            praise=("Very comfortable", "Super comfortable", "Comfy"),
            complaint=("Not comfortable", "Hurts my ears", "Uncomfortable"),
        ),
        _Attribute(
            "bass",
            positive=(
                "The bass is deep and punchy.",
                "Great bass without drowning out the vocals.",
                "Bass lovers will be happy with these.",
            ),
            negative=(
                "The bass is not great.",
                "The bass is weak and muddy.",
                "Not much bass at all.",
                "The bass is way too boomy and drowns out everything else.",
            ),
            praise=("Great bass", "Punchy bass"),
            complaint=("Weak bass", "Bass is not great"),
        ),
        _Attribute(
            "sound quality",
            positive=(
                "The sound quality is amazing for the price.",
                "Crystal clear sound with great detail.",
                "Music sounds clean and balanced.",
                "They sound better than my old headphones that cost twice as much.",
            ),
            negative=(
                "The sound quality is not great, a bit tinny.",
                "The sound is muffled and flat.",
                "The sound is not as clear as I expected.",
                "The highs are harsh at higher volume.",
            ),
            praise=("Great sound", "Amazing sound quality", "Clear sound"),
            complaint=("Poor sound", "Muffled sound", "Sound is just ok"),
        ),
        _Attribute(
            "battery life",
            positive=(
                "Battery life is incredible, I charge them once a week.",
                "The battery lasts forever.",
                "I got well over 30 hours on a single charge.",
            ),
            negative=(
                "The battery doesn't hold a charge for more than a few hours.",
                "Battery life is nowhere near what they advertise.",
                "The battery dies way too fast.",
                "They don't hold a charge anymore after a few months.",
            ),
            praise=("Great battery life", "Battery lasts forever"),
            complaint=("Battery doesn't last", "Poor battery life"),
        ),
        _Attribute(
            "noise cancelling",
            positive=(
                "The noise cancelling is excellent, it blocks out my noisy office.",
                "Noise cancelling works great on planes.",
                "The ANC is surprisingly good at this price.",
            ),
            negative=(
                "The noise cancelling doesn't really do much.",
                "Noise cancelling is not very effective.",
                "The ANC barely blocks out any noise.",
                "You can still hear everything around you, the noise cancelling is not great.",
            ),
            praise=("Excellent noise cancelling", "ANC works great"),
            complaint=("Weak noise cancelling", "ANC doesn't work"),
        ),
        _Attribute(
            "build quality",
            positive=(
                "They feel solid and well built.",
                "Build quality is excellent for the price.",
                "The materials feel premium.",
            ),
            negative=(
                "They feel cheap and plasticky.",
                "The headband cracked after a month.",
                "Build quality is not great, the hinge feels flimsy.",
            ),
            praise=("Solid build", "Well made"),
            complaint=("Feels cheap", "Flimsy build"),
        ),
        _Attribute(
            "fit",
            positive=(
                "They fit my head perfectly.",
                "They stay put even when I'm at the gym.",
                "Nice snug fit without being too tight.",
            ),
            negative=(
                "They don't stay on my head when I move.",
                "Way too tight, they squeeze my head.",
                "The fit is too loose for smaller heads.",
            ),
            praise=("Perfect fit",),
            complaint=("Poor fit", "Too tight"),
        ),
        _Attribute(
            "microphone",
            positive=(
                "The mic is clear, people on calls say I sound great.",
                "The microphone works great for Zoom meetings.",
            ),
            negative=(
                "The microphone is terrible, nobody can hear me on calls.",
                "The mic is not good for calls.",
                "People say I sound muffled when I use the mic.",
            ),
            praise=("Great for calls",),
            complaint=("Terrible mic", "Bad for calls"),
        ),
    ),
)

_SPEAKERS = _Category(
    path=("Electronics", "Bluetooth Speakers"),
    item="this speaker",
    brands=("Boomcraft", "Rivo", "Sonara", "Pulsewave", "Auralith", "Loudbox", "Cascade Sound", "Wavecrest"),
    model_prefixes=("Flip ", "Go ", "Boom ", "S", "Max ", "Mini "),
    kinds=(
        "Portable Bluetooth Speaker",
        "Waterproof Bluetooth Speaker",
        "Outdoor Wireless Speaker",
        "Mini Bluetooth Speaker",
        "Party Speaker",
        "Shower Speaker",
    ),
    title_extras=(
        "IPX7 Waterproof",
        "{hours}H Playtime",
        "360 Stereo Sound",
        "Deep Bass",
        "{watts}W Loud Sound",
        "Built-in Mic",
        "Stereo Pairing",
        "RGB Lights",
    ),
    price_range=(15.0, 299.0),
    fields={"hours": (12, 20, 24, 30), "watts": (10, 20, 30, 40, 60), "range_ft": (66, 100, 150)},
    descriptions=(
        "The {brand} {model} fills any room with {watts}W of clear, room-filling sound.",
        "An IPX7 rating means it survives splashes, rain and even a drop in the pool.",
        "Up to {hours} hours of playtime keeps the party going from afternoon to night.",
        "Pair two speakers for true stereo sound, with a stable Bluetooth range of up to {range_ft} feet.",
        "A rugged fabric and rubber shell protects it on hikes, at the beach and around the house.",
    ),
    features=(
        "POWERFUL SOUND: {watts}W output with dual passive radiators for deep bass",
        "IPX7 WATERPROOF: fully submersible, perfect for the pool, beach and shower",
        "{hours}H PLAYTIME: a rechargeable battery that lasts all day and night",
        "STEREO PAIRING: connect two speakers for immersive stereo sound",
        "LONG RANGE: stable Bluetooth connection up to {range_ft} feet",
        "HANDS-FREE CALLS: built-in microphone for clear calls",
    ),
    fillers=(
        "I take it to the beach most weekends.",
        "Mostly use it in the kitchen while cooking.",
        "We use it for backyard parties.",
        "It's about the size of a water bottle.",
    ),
    defects=(
        "It stopped charging after three weeks.",
        "It won't turn on anymore.",
        "It died completely after a month.",
    ),
    attributes=(
        _Attribute(
            "sound quality",
            positive=(
                "The sound is clear and full for such a small speaker.",
                "Sound quality is fantastic.",
                "Vocals come through really clear.",
            ),
            negative=(
                "The sound is tinny and distorted.",
                "Sound quality is not great, especially at high volume.",
                "It sounds muffled no matter what I do.",
            ),
            praise=("Great sound", "Fantastic sound quality"),
            complaint=("Tinny sound", "Sound is not great"),
        ),
        _Attribute(
            "bass",
            positive=(
                "The bass is surprisingly deep for its size.",
                "Punchy bass, great for parties.",
            ),
            negative=(
                "The bass is not great.",
                "There's basically no bass.",
                "The bass distorts badly when you turn it up.",
            ),
            praise=("Great bass", "Surprising bass"),
            complaint=("No bass", "Weak bass"),
        ),
        _Attribute(
            "volume",
            positive=(
                "It gets really loud, it easily fills my backyard.",
                "Plenty loud for a small party.",
            ),
            negative=(
                "It's not loud enough for outdoors.",
                "Max volume is disappointing.",
                "It doesn't get very loud at all.",
            ),
            praise=("Really loud", "Loud and clear"),
            complaint=("Not loud enough", "Too quiet"),
        ),
        _Attribute(
            "battery life",
            positive=(
                "The battery lasts all day.",
                "Battery life is great, I charge it maybe once a week.",
            ),
            negative=(
                "It doesn't hold a charge for more than a couple of hours.",
                "Battery life is much shorter than advertised.",
                "The battery doesn't last nearly as long as they claim.",
            ),
            praise=("Great battery life", "Battery lasts all day"),
            complaint=("Doesn't hold a charge", "Poor battery life"),
        ),
        _Attribute(
            "connectivity",
            positive=(
                "Pairing with my phone was instant.",
                "The Bluetooth connection is rock solid.",
                "Pairing two of them for stereo was easy.",
            ),
            negative=(
                "The Bluetooth connection keeps dropping.",
                "It won't stay connected to my phone.",
                "Pairing is a nightmare every time.",
            ),
            praise=("Pairs instantly", "Solid connection"),
            complaint=("Connection keeps dropping", "Pairing problems"),
        ),
        _Attribute(
            "waterproofing",
            positive=(
                "It survived being dropped in the pool.",
                "Truly waterproof, I use it in the shower every day.",
            ),
            negative=(
                "It is not waterproof at all, it died after getting wet.",
                "Water got inside even though it claims IPX7.",
            ),
            praise=("Truly waterproof",),
            complaint=("Not waterproof",),
        ),
        _Attribute(
            "durability",
            positive=(
                "It feels rugged and has survived lots of drops.",
                "Very well built and sturdy.",
            ),
            negative=(
                "It broke the first time I dropped it.",
                "The buttons stopped working after a month.",
                "It feels cheap and flimsy.",
            ),
            praise=("Built tough", "Sturdy"),
            complaint=("Feels cheap", "Broke quickly"),
        ),
    ),
)

_KNIVES = _Category(
    path=("Kitchen", "Kitchen Knives"),
    item="this knife",
    brands=(
        "Kensho",
        "Steelhaus",
        "Hanzo Cutlery",
        "Brightblade",
        "Koi Forge",
        "Mellor & Finch",
        "Ironwood",
        "Sakura Steel",
    ),
    model_prefixes=("Pro Series ", "Classic ", "Signature ", "K", "Shogun ", "Artisan "),
    kinds=(
        "8 Inch Chef Knife",
        "7 Inch Santoku Knife",
        "Japanese Gyuto Chef Knife",
        "3.5 Inch Paring Knife",
        "Serrated Bread Knife",
        "Nakiri Vegetable Knife",
    ),
    title_extras=(
        "High Carbon Stainless Steel",
        "Ergonomic Pakkawood Handle",
        "Damascus Pattern Blade",
        "Full Tang",
        "Razor Sharp {angle} Degree Edge",
        "Gift Box",
        "{steel} Steel",
    ),
    price_range=(12.0, 189.0),
    fields={
        "steel": ("German 1.4116", "VG-10", "AUS-10", "X50CrMoV15"),
        "hrc": (56, 58, 60, 62),
        "angle": (12, 15, 16),
    },
    descriptions=(
        "The {brand} {model} is forged from {steel} steel and hardened to {hrc} HRC for lasting sharpness.",
        "Each edge is hand-sharpened to {angle} degrees per side for effortless slicing, dicing and mincing.",
        "A full-tang, triple-riveted handle gives a secure grip and a balanced feel.",
        "Built for home cooks and professional chefs alike.",
        "Hand washing is recommended to keep the blade in perfect condition.",
    ),
    features=(
        "RAZOR SHARP: hand-sharpened to {angle} degrees per side",
        "PREMIUM STEEL: {steel} steel hardened to {hrc} HRC for excellent edge retention",
        "ERGONOMIC HANDLE: full-tang, triple-riveted handle for comfort and control",
        "RUST RESISTANT: high chromium content resists rust, stains and corrosion",
        "PERFECT BALANCE: a precise bolster balances blade and handle",
        "GIFT READY: comes in an elegant gift box with a blade guard",
    ),
    fillers=(
        "I cook almost every day.",
        "I'm a home cook, not a professional.",
        "I mostly use it for vegetables.",
        "I always hand wash it.",
        "Replaced my old knife block set with this.",
    ),
    defects=(
        "The tip snapped off the first week.",
        "The handle came loose after a few uses.",
        "It arrived with a chip in the blade.",
    ),
    attributes=(
        _Attribute(
            "sharpness",
            positive=(
                "It is razor sharp right out of the box.",
                "It slices through tomatoes like butter.",
                "Sharpest knife I've ever owned.",
            ),
            negative=(
                "It was not sharp out of the box.",
                "It came dull and struggles with tomatoes.",
                "The edge is not very sharp at all.",
            ),
            praise=("Razor sharp", "Super sharp"),
            complaint=("Not sharp", "Came dull"),
        ),
        _Attribute(
            "edge retention",
            positive=(
                "It holds its edge really well after months of daily use.",
                "Still sharp after six months.",
                "Edge retention is excellent.",
            ),
            negative=(
                "It never stays sharp for more than a week.",
                "The edge dulls very quickly.",
                "It doesn't hold an edge at all.",
            ),
            praise=("Stays sharp", "Holds an edge"),
            complaint=("Never stays sharp", "Dulls quickly"),
        ),
        _Attribute(
            "handle comfort",
            positive=(
                "The handle is comfortable and feels great in my hand.",
                "Very comfortable grip, even for long prep sessions.",
            ),
            negative=(
                "The handle isn't very comfortable for big hands.",
                "The handle is not comfortable at all, it digs into my palm.",
                "The handle gets slippery when wet.",
            ),
            praise=("Comfortable handle", "Great grip"),
            complaint=("Uncomfortable handle", "Slippery handle"),
        ),
        _Attribute(
            "balance",
            positive=(
                "The balance is perfect.",
                "Nicely balanced and easy to control.",
            ),
            negative=(
                "It feels blade-heavy and not well balanced.",
                "The balance is off, the handle is too heavy.",
            ),
            praise=("Perfectly balanced",),
            complaint=("Poor balance",),
        ),
        _Attribute(
            "rust resistance",
            positive=(
                "No rust or spots even after it went through the dishwasher by accident.",
                "Still looks brand new, no rust at all.",
            ),
            negative=(
                "It started to rust after a couple of weeks.",
                "Rust spots appeared even though I hand wash and dry it.",
                "It is not as stainless as they claim.",
            ),
            praise=("No rust",),
            complaint=("Rusts quickly", "Rust spots"),
        ),
        _Attribute(
            "build quality",
            positive=(
                "Fit and finish are excellent.",
                "It feels like a much more expensive knife.",
            ),
            negative=(
                "The blade chipped in the first week.",
                "There's a gap between the handle and the blade.",
                "It feels cheap for what I paid.",
            ),
            praise=("Beautifully made", "Feels premium"),
            complaint=("Chipped blade", "Feels cheap"),
        ),
    ),
)

_COFFEE_MAKERS = _Category(
    path=("Kitchen", "Coffee Makers"),
    item="this coffee maker",
    brands=(
        "Brewella",
        "Morning Ritual",
        "Caffera",
        "Kettleby",
        "Roastline",
        "Bellcrest",
        "Drip & Co",
        "Stellar Home",
    ),
    model_prefixes=("Brew ", "CM", "Barista ", "Classic ", "DC"),
    kinds=(
        "{cups}-Cup Programmable Coffee Maker",
        "Single Serve Coffee Maker",
        "Drip Coffee Machine",
        "Thermal Carafe Coffee Maker",
        "Coffee Maker with Grinder",
        "Pour Over Coffee Brewer",
    ),
    title_extras=(
        "Thermal Carafe",
        "Programmable Timer",
        "Auto Shut-Off",
        "Brew Strength Control",
        "Keep Warm Plate",
        "Reusable Filter",
        "Stainless Steel Finish",
    ),
    price_range=(24.0, 249.0),
    fields={"cups": (5, 10, 12, 14), "watts": (900, 1000, 1100), "minutes": (4, 6, 8)},
    descriptions=(
        "The {brand} {model} brews up to {cups} cups of hot, full-flavored coffee in about {minutes} minutes.",
        "Program it the night before and wake up to freshly brewed coffee.",
        "Choose regular or bold brew strength to match your taste.",
        "A {watts}-watt heater keeps the water at the ideal brewing temperature.",
        "The reusable filter and removable parts make cleanup quick and easy.",
    ),
    features=(
        "{cups}-CUP CAPACITY: brew enough for the whole family",
        "PROGRAMMABLE: 24-hour timer so coffee is ready when you wake up",
        "BOLD OR REGULAR: adjustable brew strength control",
        "HOT AND FRESH: {watts}W heating element for the ideal brewing temperature",
        "EASY TO CLEAN: dishwasher-safe carafe and removable filter basket",
        "SAFE: auto shut-off after 2 hours",
        "NO MESS: drip-stop lets you pour a cup mid-brew",
    ),
    fillers=(
        "I drink about three cups a day.",
        "We use it every morning.",
        "I use a medium roast from the grocery store.",
        "Replaced our old one that lasted ten years.",
    ),
    defects=(
        "It stopped working after a month.",
        "It arrived broken.",
        "It stopped heating after three weeks.",
    ),
    attributes=(
        _Attribute(
            "taste",
            positive=(
                "The coffee tastes great, rich and never bitter.",
                "It makes a really good cup of coffee.",
                "Best tasting coffee I've made at home.",
            ),
            negative=(
                "The coffee tastes weak and watery.",
                "The coffee has a plastic taste even after several rinses.",
                "The coffee is not very flavorful.",
            ),
            praise=("Great coffee", "Rich flavor"),
            complaint=("Weak coffee", "Plastic taste"),
        ),
        _Attribute(
            "brew speed",
            positive=(
                "It brews a full pot in just a few minutes.",
                "Really fast brewing.",
            ),
            negative=(
                "It takes forever to brew a full pot.",
                "Brewing is painfully slow.",
            ),
            praise=("Fast brewing",),
            complaint=("So slow",),
        ),
        _Attribute(
            "temperature",
            positive=(
                "The coffee comes out nice and hot.",
                "It keeps the coffee hot for hours.",
            ),
            negative=(
                "The coffee is not hot enough.",
                "The coffee is lukewarm at best.",
                "The warming plate doesn't keep it warm for long.",
            ),
            praise=("Nice and hot",),
            complaint=("Not hot enough", "Lukewarm coffee"),
        ),
        _Attribute(
            "ease of cleaning",
            positive=(
                "It is easy to clean, the parts go in the dishwasher.",
                "Cleanup is quick.",
            ),
            negative=(
                "It is a pain to clean.",
                "The filter basket is not easy to clean at all.",
                "It is hard to descale and grounds get everywhere.",
            ),
            praise=("Easy to clean",),
            complaint=("Hard to clean",),
        ),
        _Attribute(
            "leaks",
            positive=(
                "No leaks or drips at all.",
                "The carafe pours without dripping.",
            ),
            negative=(
                "It leaks water all over the counter.",
                "The carafe drips every time I pour.",
                "It doesn't pour cleanly at all.",
            ),
            praise=("No drips",),
            complaint=("Leaks", "Drips everywhere"),
        ),
        _Attribute(
            "ease of use",
            positive=(
                "Programming the timer is simple.",
                "Super easy to use, even for my parents.",
            ),
            negative=(
                "The controls are confusing.",
                "The instructions are not helpful at all.",
                "The buttons are hard to read.",
            ),
            praise=("Easy to use", "Simple and easy"),
            complaint=("Confusing controls",),
        ),
        _Attribute(
            "noise",
            positive=(
                "It is quiet while brewing.",
                "It doesn't wake up the whole house.",
            ),
            negative=(
                "It is really loud while brewing.",
                "The beeping is so loud and you can't turn it off.",
            ),
            praise=("Quiet",),
            complaint=("Too loud", "Annoying beeping"),
        ),
    ),
)

_BACKPACKS = _Category(
    path=("Luggage & Travel", "Backpacks"),
    item="this backpack",
    brands=(
        "Trailmark",
        "Northbound",
        "Packwell",
        "Urbanova",
        "Ridgeway Gear",
        "Voyago",
        "Alder & Ash",
        "Summitline",
    ),
    model_prefixes=("Voyager ", "Metro ", "Trek ", "Nomad ", "Scout "),
    kinds=(
        "Travel Laptop Backpack",
        "{liters}L Hiking Daypack",
        "Anti-Theft Business Backpack",
        "Carry-On Travel Backpack",
        "Lightweight Packable Backpack",
        "School Backpack",
    ),
    title_extras=(
        "{laptop} Inch Laptop Compartment",
        "USB Charging Port",
        "Water Resistant {denier}D Fabric",
        "Anti-Theft Pocket",
        "Luggage Strap",
        "Padded Shoulder Straps",
    ),
    price_range=(18.0, 179.0),
    fields={"laptop": (14, 15.6, 17), "liters": (20, 25, 30, 35, 40), "denier": (600, 900, 1680)},
    descriptions=(
        "The {brand} {model} holds up to {liters} liters and fits laptops up to {laptop} inches.",
        "Water resistant {denier}D fabric keeps your gear dry in the rain.",
        "Padded, breathable shoulder straps and back panel make it comfortable to carry all day.",
        "A hidden anti-theft pocket keeps your passport and wallet safe.",
        "The luggage strap slides over the handle of your rolling suitcase.",
    ),
    features=(
        "LAPTOP COMPARTMENT: a padded sleeve fits laptops up to {laptop} inches",
        "{liters}L CAPACITY: room for a weekend trip or a full day of classes",
        "WATER RESISTANT: durable {denier}D fabric with YKK-style zippers",
        "COMFORTABLE: padded shoulder straps and breathable mesh back panel",
        "ORGANIZED: multiple pockets for chargers, pens, keys and bottles",
        "USB PORT: charge your phone on the go (power bank not included)",
    ),
    fillers=(
        "I use it for my daily commute.",
        "Took it on a two-week trip to Europe.",
        "I'm a college student and use it every day.",
        "It fits under the seat on most airlines.",
    ),
    defects=(
        "A strap tore off on the first trip.",
        "The main zipper broke the first time I used it.",
        "It arrived with a hole in the bottom.",
    ),
    attributes=(
        _Attribute(
            "comfort",
            positive=(
                "The straps are padded and very comfortable.",
                "It is comfortable to carry all day, even fully loaded.",
            ),
            negative=(
                "It isn't very comfortable when fully loaded.",
                "The straps are not comfortable at all and dig into my shoulders.",
                "There is no back padding, so it's uncomfortable on long walks.",
            ),
            praise=("Very comfortable", "Comfortable straps"),
            complaint=("Not comfortable", "Straps dig in"),
        ),
        _Attribute(
            "durability",
            positive=(
                "Very durable, it survived a month of backpacking.",
                "The fabric is thick and tough.",
            ),
            negative=(
                "The seams started coming apart after two weeks.",
                "A strap ripped off within a month.",
                "The material feels thin and cheap.",
            ),
            praise=("Very durable", "Built to last"),
            complaint=("Fell apart", "Cheap material"),
        ),
        _Attribute(
            "zippers",
            positive=(
                "The zippers are smooth and sturdy.",
                "High quality zippers that never snag.",
            ),
            negative=(
                "The zipper broke after a few uses.",
                "The zippers snag constantly.",
                "The zippers don't close smoothly.",
            ),
            praise=("Great zippers",),
            complaint=("Zipper broke", "Cheap zippers"),
        ),
        _Attribute(
            "storage",
            positive=(
                "Tons of pockets and compartments for everything.",
                "Super organized, there's a spot for everything.",
            ),
            negative=(
                "Not enough pockets for my stuff.",
                "The compartments are awkwardly placed.",
                "There is not much room inside.",
            ),
            praise=("Lots of pockets", "Holds everything"),
            complaint=("Too small", "Not enough pockets"),
        ),
        _Attribute(
            "water resistance",
            positive=(
                "It stayed dry inside during a heavy rain.",
                "The water resistance really works.",
            ),
            negative=(
                "It is not water resistant at all, my laptop got wet.",
                "It soaked through in a light drizzle.",
            ),
            praise=("Keeps things dry",),
            complaint=("Not water resistant",),
        ),
        _Attribute(
            "laptop sleeve",
            positive=(
                "My laptop fits perfectly in the padded sleeve.",
                "The laptop sleeve is well padded.",
            ),
            negative=(
                "My laptop doesn't fit even though it says it should.",
                "The laptop compartment has almost no padding.",
            ),
            praise=("Great for laptops",),
            complaint=("Laptop doesn't fit",),
        ),
    ),
)

_WATER_BOTTLES = _Category(
    path=("Sports & Outdoors", "Water Bottles"),
    item="this bottle",
    brands=(
        "Hydrapeak",
        "Coldcrest",
        "Aquaventure",
        "Frostline",
        "Glacier Co",
        "Summit Sip",
        "Everflask",
        "Polar Trail",
    ),
    model_prefixes=("Flow ", "Trek ", "Chill ", "Sport ", "Daily "),
    kinds=(
        "{oz} oz Insulated Stainless Steel Water Bottle",
        "{oz} oz Sports Water Bottle",
        "{oz} oz Vacuum Insulated Tumbler",
        "Kids Water Bottle",
        "Motivational Water Bottle with Time Marker",
        "Glass Water Bottle",
    ),
    title_extras=(
        "Straw Lid",
        "Leak Proof Lid",
        "Double Wall Vacuum Insulation",
        "Wide Mouth",
        "Carry Handle",
        "BPA Free",
        "Dishwasher Safe",
    ),
    price_range=(9.0, 54.0),
    fields={"oz": (18, 24, 32, 40, 64), "cold_hours": (24, 36, 48), "hot_hours": (12, 18)},
    descriptions=(
        "The {brand} {model} keeps drinks cold for up to {cold_hours} hours and hot for up to {hot_hours} hours.",
        "Double-wall vacuum insulation means no condensation on the outside.",
        "A leak-proof lid lets you toss it in your bag without worry.",
        "Made from food-grade 18/8 stainless steel with no metallic taste.",
        "It holds {oz} ounces, enough to stay hydrated through a long workout.",
    ),
    features=(
        "STAYS COLD: up to {cold_hours} hours cold and {hot_hours} hours hot",
        "LEAK PROOF: a secure lid that won't spill in your bag",
        "{oz} OZ CAPACITY: stay hydrated at the gym, office or trail",
        "SAFE MATERIALS: BPA-free lid and 18/8 stainless steel",
        "EASY TO CLEAN: wide mouth fits ice cubes and a bottle brush",
        "DURABLE: powder-coated finish resists scratches and sweat",
    ),
    fillers=(
        "I take it to the gym every day.",
        "I use it for hiking.",
        "I keep it on my desk at work.",
        "My daughter uses it at school.",
    ),
    defects=(
        "It arrived dented.",
        "The lid cracked the first week.",
        "It stopped keeping anything cold after a week, the seal must be broken.",
    ),
    attributes=(
        _Attribute(
            "insulation",
            positive=(
                "It keeps my water ice cold all day.",
                "The ice is still there the next morning.",
                "The insulation is amazing.",
            ),
            negative=(
                "It doesn't keep drinks cold for very long.",
                "The ice melts within a few hours.",
                "The insulation is not great, the outside sweats.",
            ),
            praise=("Keeps water ice cold", "Great insulation"),
            complaint=("Doesn't stay cold", "Poor insulation"),
        ),
        _Attribute(
            "leaks",
            positive=(
                "Completely leak proof, I toss it in my bag.",
                "No leaks at all.",
            ),
            negative=(
                "It leaks every time I put it in my bag.",
                "The lid is not leak proof at all.",
                "It leaked all over my laptop.",
            ),
            praise=("Leak proof",),
            complaint=("Leaks", "Not leak proof"),
        ),
        _Attribute(
            "durability",
            positive=(
                "I've dropped it many times and it barely has a scratch.",
                "Very sturdy.",
            ),
            negative=(
                "It dented the first time I dropped it.",
                "The paint started chipping after a week.",
                "The handle snapped off.",
            ),
            praise=("Very sturdy",),
            complaint=("Dents easily", "Paint chips"),
        ),
        _Attribute(
            "ease of cleaning",
            positive=(
                "Easy to clean thanks to the wide mouth.",
                "It's dishwasher safe, which is a huge plus.",
            ),
            negative=(
                "The straw lid is impossible to clean.",
                "Mold builds up in the lid and it's hard to clean.",
                "It is not easy to clean at all.",
            ),
            praise=("Easy to clean",),
            complaint=("Hard to clean",),
        ),
        _Attribute(
            "taste",
            positive=(
                "No metallic taste at all.",
                "The water tastes fresh.",
            ),
            negative=(
                "The water has a metallic taste.",
                "It has a weird plastic smell that won't go away.",
            ),
            praise=("No metallic taste",),
            complaint=("Metallic taste", "Smells like plastic"),
        ),
        _Attribute(
            "size",
            positive=(
                "It fits in my car cup holder.",
                "The perfect size for the gym.",
            ),
            negative=(
                "It doesn't fit in my cup holder.",
                "It's way too heavy when full.",
            ),
            praise=("Perfect size",),
            complaint=("Too big", "Doesn't fit cup holders"),
        ),
    ),
    also_in=(("Kitchen", "Drinkware"),),
)

_OFFICE_CHAIRS = _Category(
    path=("Office Products", "Office Chairs"),
    item="this chair",
    brands=(
        "Ergoline",
        "Postura",
        "Deskmate",
        "Seatcraft",
        "Cortland Office",
        "Flexmore",
        "Aeris Seating",
        "Workwell",
    ),
    model_prefixes=("Ergo ", "Task ", "Exec ", "Flex ", "C"),
    kinds=(
        "Ergonomic Office Chair",
        "Mesh Desk Chair",
        "High Back Executive Chair",
        "Gaming Chair",
        "Drafting Chair",
        "Home Office Task Chair",
    ),
    title_extras=(
        "Adjustable Lumbar Support",
        "Adjustable Armrests",
        "Breathable Mesh Back",
        "Headrest",
        "{capacity} lbs Capacity",
        "Tilt Lock",
        "Swivel Wheels",
    ),
    price_range=(49.0, 499.0),
    fields={"capacity": (250, 300, 330, 400), "minutes": (10, 15, 20)},
    descriptions=(
        "The {brand} {model} supports your back through long work days with adjustable lumbar support.",
        "Breathable mesh keeps you cool while the contoured seat cushion keeps you comfortable.",
        "Adjust the seat height, armrests and tilt tension to fit your desk and your body.",
        "A heavy-duty base and smooth-rolling casters support up to {capacity} pounds.",
        "Assembly takes about {minutes} minutes with the included tools.",
    ),
    features=(
        "ERGONOMIC DESIGN: adjustable lumbar support follows the natural curve of your spine",
        "BREATHABLE MESH: stay cool and comfortable during long work sessions",
        "FULLY ADJUSTABLE: seat height, armrests, headrest and tilt tension",
        "HEAVY DUTY: steel base and class-4 gas lift support up to {capacity} lbs",
        "EASY ASSEMBLY: all tools included, about {minutes} minutes to assemble",
        "QUIET CASTERS: smooth-rolling wheels that are safe for hardwood floors",
    ),
    fillers=(
        "I work from home eight hours a day.",
        "I'm 6'2\" and about 220 lbs.",
        "I use it at my gaming desk.",
        "My husband put it together in about twenty minutes.",
    ),
    defects=(
        "It arrived with missing parts.",
        "The base cracked within a week.",
        "The gas lift failed on day one.",
    ),
    attributes=(
        _Attribute(
            "comfort",
            positive=(
                "The seat is very comfortable for long work days.",
                "Super comfortable, my back pain is gone.",
            ),
            negative=(
                "The seat isn't very comfortable after a couple of hours.",
                "The cushion is not comfortable at all, way too hard.",
                "The seat cushion flattened out within weeks.",
            ),
            praise=("Very comfortable", "Super comfortable"),
            complaint=("Not comfortable", "Hard seat"),
        ),
        _Attribute(
            "lumbar support",
            positive=(
                "The lumbar support is exactly where I need it.",
                "Great lumbar support.",
            ),
            negative=(
                "The lumbar support doesn't hit the right spot.",
                "There is not enough lumbar support for me.",
            ),
            praise=("Great lumbar support",),
            complaint=("Poor lumbar support",),
        ),
        _Attribute(
            "assembly",
            positive=(
                "Assembly took about 15 minutes and was easy.",
                "Very easy to put together.",
            ),
            negative=(
                "Assembly was a nightmare, the holes didn't line up.",
                "The instructions were not clear at all.",
                "It took me over two hours to assemble.",
            ),
            praise=("Easy assembly",),
            complaint=("Assembly nightmare",),
        ),
        _Attribute(
            "durability",
            positive=(
                "Solid and sturdy, it feels like it will last for years.",
                "Still like new after a year.",
            ),
            negative=(
                "The gas cylinder stopped working after two months and it sinks.",
                "A wheel broke off in the first month.",
                "The armrest cracked within a few weeks.",
            ),
            praise=("Sturdy", "Built to last"),
            complaint=("Keeps sinking", "Broke quickly"),
        ),
        _Attribute(
            "armrests",
            positive=(
                "The armrests are adjustable and comfortable.",
                "The padded armrests are a nice touch.",
            ),
            negative=(
                "The armrests are wobbly.",
                "The armrests don't adjust low enough.",
            ),
            praise=("Nice armrests",),
            complaint=("Wobbly armrests",),
        ),
        _Attribute(
            "adjustability",
            positive=(
                "Lots of adjustments, so it fits me perfectly.",
                "The height adjustment is smooth and stays put.",
            ),
            negative=(
                "It doesn't go low enough for my desk.",
                "The height adjustment doesn't stay in place.",
            ),
            praise=("Very adjustable",),
            complaint=("Limited adjustment",),
        ),
        _Attribute(
            "noise",
            positive=(
                "No squeaking at all.",
                "It is completely silent when I lean back.",
            ),
            negative=(
                "It squeaks every time I lean back.",
                "It creaks constantly.",
            ),
            praise=("No squeaks",),
            complaint=("Squeaky", "Creaks constantly"),
        ),
    ),
)

_RUNNING_SHOES = _Category(
    path=("Clothing, Shoes & Jewelry", "Shoes", "Running Shoes"),
    item="these shoes",
    brands=(
        "Stridewell",
        "Fleetfoot",
        "Paceline",
        "Rungo",
        "Kinetra",
        "Trailblaze",
        "Swiftsole",
        "Atlas Athletic",
    ),
    model_prefixes=("Glide ", "Tempo ", "Cloud ", "Rush ", "Trail ", "Ultra "),
    kinds=(
        "Men's Running Shoes",
        "Women's Running Shoes",
        "Trail Running Shoes",
        "Lightweight Road Running Shoes",
        "Walking Sneakers",
        "Cushioned Running Shoes",
    ),
    title_extras=(
        "Breathable Mesh",
        "Non-Slip Outsole",
        "Wide Toe Box",
        "Arch Support",
        "{drop}mm Drop",
        "Cushioned Midsole",
    ),
    price_range=(29.0, 189.0),
    fields={"drop": (4, 6, 8, 10), "weight_oz": ("7.5", "8.8", "9.6", "10.2")},
    descriptions=(
        "The {brand} {model} pairs a responsive foam midsole with a breathable engineered mesh upper.",
        "A {drop}mm heel-to-toe drop gives a smooth, natural transition on every stride.",
        "At just {weight_oz} ounces they feel light on long runs and all-day wear.",
        "A durable rubber outsole grips on wet roads and light trails.",
        "Built for daily training, walking and the gym.",
    ),
    features=(
        "RESPONSIVE CUSHIONING: lightweight foam midsole absorbs impact",
        "BREATHABLE: engineered mesh upper keeps feet cool and dry",
        "LIGHTWEIGHT: only {weight_oz} oz (men's size 9)",
        "GRIP: durable rubber outsole for road and trail",
        "SUPPORT: contoured insole with arch support",
        "{drop}MM DROP: smooth heel-to-toe transition",
    ),
    fillers=(
        "I run about 20 miles a week.",
        "I'm on my feet all day at work.",
        "I ordered my usual size.",
        "I mostly use them for walking the dog.",
    ),
    defects=(
        "The sole split after a week.",
        "The stitching came apart on the first run.",
        "They sent two different sizes in the box.",
    ),
    attributes=(
        _Attribute(
            "comfort",
            positive=(
                "They are the most comfortable shoes I own.",
                "Comfortable right out of the box, no break-in needed.",
            ),
            negative=(
                "They are not comfortable at all on long runs.",
                "They aren't very comfortable, they rub my heel.",
                "They gave me blisters in the first week.",
            ),
            praise=("So comfortable", "Very comfortable"),
            complaint=("Not comfortable", "Blisters"),
        ),
        _Attribute(
            "sizing",
            positive=(
                "True to size.",
                "They fit perfectly.",
            ),
            negative=(
                "They run small, order a half size up.",
                "Way too narrow for my feet.",
                "The sizing is not accurate at all.",
            ),
            praise=("True to size", "Perfect fit"),
            complaint=("Runs small", "Too narrow"),
        ),
        _Attribute(
            "cushioning",
            positive=(
                "The cushioning is amazing on long runs.",
                "Soft and bouncy cushioning.",
            ),
            negative=(
                "There's not much cushioning, my knees hurt.",
                "The cushioning is not great, they feel flat.",
            ),
            praise=("Great cushioning",),
            complaint=("No cushioning",),
        ),
        _Attribute(
            "durability",
            positive=(
                "Still in great shape after 300 miles.",
                "They have held up really well.",
            ),
            negative=(
                "The sole started coming off after a month.",
                "There were holes in the mesh after a few weeks.",
            ),
            praise=("Durable",),
            complaint=("Fell apart", "Wore out fast"),
        ),
        _Attribute(
            "arch support",
            positive=(
                "Great arch support for my flat feet.",
                "The arch support helped my plantar fasciitis.",
            ),
            negative=(
                "There's no arch support whatsoever.",
                "The arch support is not great.",
            ),
            praise=("Great arch support",),
            complaint=("No arch support",),
        ),
        _Attribute(
            "breathability",
            positive=(
                "Very breathable, my feet stay cool.",
                "The mesh breathes really well.",
            ),
            negative=(
                "My feet get hot and sweaty in them.",
                "They are not breathable at all.",
            ),
            praise=("Breathable",),
            complaint=("Hot and sweaty",),
        ),
        _Attribute(
            "grip",
            positive=(
                "Great traction on wet pavement.",
                "The grip is excellent on trails.",
            ),
            negative=(
                "They are slippery on wet surfaces.",
                "The grip is not good on trails.",
            ),
            praise=("Great grip",),
            complaint=("Slippery",),
        ),
    ),
)

CATEGORIES = (
    _HEADPHONES,
    _SPEAKERS,
    _KNIVES,
    _COFFEE_MAKERS,
    _BACKPACKS,
    _WATER_BOTTLES,
    _OFFICE_CHAIRS,
    _RUNNING_SHOES,
)

_MODEL_NUMBERS = (1, 2, 3, 5, 7, 10, 20, 30, 35, 45, 50, 60, 100, 200, 300, 450, 500, 700, 900)
_MODEL_SUFFIXES = (" Pro", " Max", " Lite", " Plus", " II", " SE")

# Sentences that fit any product; {item} is the category's "these headphones" / "this knife".
_OPENERS = (
    "I bought {item} about a month ago.",
    "I've been using {item} every day for two weeks now.",
    "I did a lot of research before buying {item}.",
    "This is my second purchase from this brand.",
    "I got {item} on sale.",
    "My wife picked out {item}.",
    "I've had {item} for about six months.",
    "Update after three months of use.",
)
_FILLERS = (
    "Arrived on time.",
    "Shipping was fast.",
    "Arrived a day early.",
    "Packaging was fine.",
    "The box was a little dented but everything inside was fine.",
    "Bought {item} for my son.",
    "Bought {item} as a gift for my dad.",
    "Looks exactly like the pictures.",
    "Received {item} two days after ordering.",
    "The color is a bit darker than in the photos.",
)
# Overall verdicts and closing lines, by star rating (index 0 is unused).
_VERDICTS = (
    (),
    (
        "Very disappointed.",
        "I regret buying {item}.",
        "Not worth the money.",
        "Honestly a waste of money.",
        "Total junk.",
    ),
    (
        "Pretty disappointed.",
        "Not worth the money.",
        "I expected a lot more.",
        "I can't really recommend {item}.",
    ),
    (
        "It's okay for the price.",
        "Mixed feelings about {item}.",
        "Not bad, not great.",
        "It does the job, mostly.",
        "Decent, but I expected more.",
    ),
    (
        "Really happy with this purchase.",
        "Great value for the money.",
        "Very pleased overall.",
        "Pretty good overall.",
        "Does what I need.",
    ),
    (
        "Love {item}!",
        "Really happy with this purchase.",
        "Exactly what I was looking for.",
        "Best purchase I've made this year.",
        "Absolutely love it.",
    ),
)
_CLOSERS = (
    (),
    (
        "Returning for a refund.",
        "Do not recommend.",
        "Save your money and look elsewhere.",
        "Sent {item} back.",
        "Don't waste your money.",
    ),
    ("Would not buy again.", "Returning {item}.", "Look elsewhere."),
    ("Might return.", "I'm keeping {item} for now.", "Wait for a sale."),
    (
        "Would buy again.",
        "Recommend.",
        "Minus one star for the small issues.",
        "Four stars because nothing is perfect.",
    ),
    (
        "Would definitely buy again.",
        "Highly recommend.",
        "Five stars from me.",
        "Can't recommend {item} enough.",
        "I'd buy {item} again in a heartbeat.",
    ),
)
_SUMMARIES = (
    (),
    ("Waste of money", "Junk", "Returned it", "Do not buy", "Terrible", "One star"),
    ("Disappointed", "Not great", "Meh", "Expected better"),
    ("It's okay", "Decent", "Mixed feelings", "Average", "Just ok"),
    ("Very good", "Pretty good", "Solid choice", "Great value", "Four Stars"),
    ("Love it!", "Five Stars", "Excellent", "Highly recommend", "Perfect", "Exactly as described"),
)
_DEFECT_SUMMARIES = (
    "Defective",
    "Stopped working",
    "Arrived broken",
    "Broke after two weeks",
    "Quality control issues",
)

# Misspellings real reviews contain; ~3% of reviews get one.
_TYPOS = (
    ("received", "recieved"),
    ("Received", "Recieved"),
    ("comfortable", "confortable"),
    ("headphones", "headphnes"),
    (" the ", " teh "),
    ("definitely", "definately"),
    ("quality", "qaulity"),
    ("really", "realy"),
    ("because", "becuase"),
    ("pretty", "prety"),
    ("bottle", "bottel"),
    ("coffee", "cofee"),
    ("battery", "batery"),
    ("until", "untill"),
    ("disappointed", "dissapointed"),
)

_FIRST_NAMES = tuple(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Lisa Matt Nancy Anthony Betty Mark Sandra "
    "Steven Ashley Paul Emily Andrew Kimberly Josh Donna Kevin Michelle Brian Carol Jason Amanda Ryan "
    "Melissa Eric Stephanie Jacob Rebecca Gary Laura Tyler Megan Aaron Rachel Jose Maria Wei Priya "
    "Ahmed Yuki".split()
)
_LAST_NAMES = tuple(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor "
    "Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright "
    "Nguyen Patel".split()
)


def _mix64(x: int) -> int:
    """SplitMix64's finaliser: a cheap bijective scramble of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits))


def asin_for(index: int) -> str:
    """The ASIN of the product at ``index``: "B0" + 8 base-36 digits, unique for 0 <= index < 36**8."""
    return "B0" + _base36((index * _ASIN_MULTIPLIER + _ASIN_OFFSET) % _ASIN_SPACE, 8)


def _reviewer_id(seed_key: int, reviewer: int) -> str:
    # _mix64 is a bijection and 36**13 > 2**64, so distinct reviewers get distinct ids.
    return "A" + _base36(_mix64((seed_key + reviewer) & _MASK64), 13)


def _reviewer_name(seed_key: int, reviewer: int) -> str:
    # Derived from the reviewer, not the review, so a reviewer has the same name on every product.
    h = _mix64((seed_key ^ 0x5BD1E995) + reviewer * 31)
    style = h % 100
    first = _FIRST_NAMES[(h >> 8) % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(h >> 20) % len(_LAST_NAMES)]
    if style < 14:
        return "Amazon Customer"
    if style < 22:
        return f"{first[0]}. {last[0]}."
    if style < 50:
        return first
    if style < 80:
        return f"{first} {last[0]}."
    if style < 95:
        return f"{first} {last}"
    return f"{first.lower()}{(h >> 32) % 100:02d}"


def _lower_first(sentence: str) -> str:
    # Keep "I ..." and acronyms ("ANC ...") as they are.
    if len(sentence) > 1 and sentence[1].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def _add_typo(rng: random.Random, text: str) -> str:
    candidates = [pair for pair in _TYPOS if pair[0] in text]
    if candidates:
        right, wrong = rng.choice(candidates)
        return text.replace(right, wrong, 1)
    # No known misspelling applies: swap two letters of a longer word instead.
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


@dataclass
class _HiddenProduct:
    """What reviewers experience but the product record doesn't say."""

    category: _Category
    qualities: list[float]  # one per category attribute, 0 (awful) .. 1 (excellent)
    overall: float
    flaw: int | None  # index of an attribute that is much worse than the rest, if any
    launched_at: float  # POSIX timestamp of the first possible review


def _make_product(index: int, rng: random.Random) -> tuple[ProductRecord, _HiddenProduct]:
    category = rng.choice(CATEGORIES)

    # Most products are decent, a few are bad; each attribute varies around the product's tier.
    tier = rng.betavariate(5.0, 2.2)
    qualities = [min(0.98, max(0.02, rng.gauss(tier, 0.15))) for _ in category.attributes]
    flaw = None
    if rng.random() < _FLAW_RATE:
        flaw = rng.randrange(len(qualities))
        qualities[flaw] = rng.uniform(0.05, 0.3)
    overall = sum(qualities) / len(qualities)

    brand = rng.choice(category.brands)
    model = rng.choice(category.model_prefixes) + str(rng.choice(_MODEL_NUMBERS))
    if rng.random() < 0.25:
        model += rng.choice(_MODEL_SUFFIXES)
    values = {name: rng.choice(options) for name, options in category.fields.items()}
    values["brand"] = brand
    values["model"] = model
    kind = rng.choice(category.kinds).format(**values)

    extras = [extra.format(**values) for extra in rng.sample(category.title_extras, rng.randint(1, 3))]
    style = rng.random()
    if style < 0.65:
        title = f"{brand} {model} {kind} with {', '.join(extras)}"
    elif style < 0.85:
        title = f"{brand} {kind}, {', '.join(extras)}"
    else:
        title = f"{brand} {model} {kind} - {' | '.join(extras)}"

    # Log-uniform within the category's range, nudged up for better products; prices end in .99 etc.
    low, high = category.price_range
    position = 0.7 * rng.random() + 0.3 * tier
    dollars = int(math.exp(math.log(low) + position * (math.log(high) - math.log(low))))
    price = None
    if rng.random() >= _NO_PRICE_RATE:
        cents = rng.choice((99, 99, 99, 95, 49, 0))
        price = Decimal(f"{dollars - 1}.99") if cents == 99 else Decimal(f"{dollars}.{cents:02d}")

    first_sentence, *other_sentences = category.descriptions
    description_sentences = [first_sentence] + rng.sample(other_sentences, rng.randint(1, 3))
    description = " ".join(sentence.format(**values) for sentence in description_sentences)
    features = tuple(feature.format(**values) for feature in rng.sample(category.features, rng.randint(3, 6)))

    categories = (category.path,)
    if category.also_in and rng.random() < 0.3:
        categories += category.also_in

    record = ProductRecord(
        asin=asin_for(index),
        title=title,
        brand=brand,
        price=price,
        categories=categories,
        description=description,
        features=features,
        image_url=None,
    )
    launched_at = _START + rng.random() * (_LAST_LAUNCH - _START)
    return record, _HiddenProduct(category, qualities, overall, flaw, launched_at)


def _review_count(rng: random.Random, mean_reviews: float) -> int:
    """Log-normal: many products with a handful of reviews, some with none, a few with hundreds."""
    if mean_reviews <= 0:
        return 0
    sigma = 1.0
    # int() truncates, which lowers the mean by about 0.5; the +0.5 compensates.
    mu = math.log(mean_reviews + 0.5) - sigma * sigma / 2
    limit = int(50 * mean_reviews) + 50  # keeps one product from dominating a small catalog
    return min(int(rng.lognormvariate(mu, sigma)), limit)


def _rating_for(experience: float) -> int:
    # Thresholds chosen so the histogram looks like Amazon's: mostly 5s, then 4s, a J-shaped tail.
    if experience >= 0.62:
        return 5
    if experience >= 0.5:
        return 4
    if experience >= 0.4:
        return 3
    if experience >= 0.3:
        return 2
    return 1


def _write_review(rng: random.Random, hidden: _HiddenProduct) -> tuple[int, str, str]:
    """Return (rating, summary, text) for one review of the hidden product."""
    category = hidden.category
    item = category.item
    sentences = []

    if rng.random() < _DEFECT_RATE:
        rating = 1 if rng.random() < 0.8 else 2
        sentences.append(rng.choice(category.defects))
        if rng.random() < 0.5:
            sentences.append(rng.choice(_VERDICTS[rating]).format(item=item))
        sentences.append(rng.choice(_CLOSERS[rating]).format(item=item))
        return rating, rng.choice(_DEFECT_SUMMARIES), " ".join(sentences)

    rating = _rating_for(hidden.overall + rng.gauss(0.0, 0.2))
    # 0 for 1 star .. 1 for 5 stars: how much the reviewer's mood colours each remark.
    mood = (rating - 1) / 4

    attributes = category.attributes
    mention_count = min(rng.choices(_MENTION_COUNTS, cum_weights=_MENTION_CUM_WEIGHTS)[0], len(attributes))
    mentioned = rng.sample(range(len(attributes)), mention_count)
    # People complain about a product's weak spot more often than chance.
    if hidden.flaw is not None and mentioned and hidden.flaw not in mentioned and rng.random() < 0.5:
        mentioned[0] = hidden.flaw

    if rng.random() < 0.35:
        sentences.append(rng.choice(_OPENERS).format(item=item))

    # Each remark's polarity depends on the attribute's quality and, more, on the reviewer's mood, so a
    # 5-star review rarely complains and a weak attribute still gets the occasional compliment.
    remarks = [
        (attributes[index], rng.random() < 0.3 * hidden.qualities[index] + 0.7 * mood) for index in mentioned
    ]
    complaints = sum(1 for _, positive in remarks if not positive)
    previous_positive = None
    joined = False  # join two sentences at most; never "..., but ..., but ..."
    for attribute, positive in remarks:
        sentence = rng.choice(attribute.positive if positive else attribute.negative)
        if (
            previous_positive is not None
            and positive != previous_positive
            and not joined
            and rng.random() < 0.35
        ):
            # "The sound is great, but they are not comfortable at all."
            sentences[-1] = f"{sentences[-1].rstrip('.!')}, but {_lower_first(sentence)}"
            joined = True
        elif not positive and rating >= 4 and complaints == 1 and rng.random() < 0.4:
            sentences.append(f"Only complaint: {_lower_first(sentence)}")
            joined = True  # don't tack a "but ..." onto it
        else:
            sentences.append(sentence)
            joined = False
        previous_positive = positive

    if rng.random() < 0.3:
        filler = rng.choice(category.fillers if rng.random() < 0.5 else _FILLERS)
        sentences.insert(rng.randint(0, len(sentences)), filler.format(item=item))
    # A review whose remarks alone wouldn't explain its stars always gets an overall verdict.
    if rating >= 4:
        remarks_agree = complaints < len(remarks)
    elif rating <= 2:
        remarks_agree = complaints > 0
    else:
        remarks_agree = True
    if not remarks_agree or not remarks or rng.random() < 0.55:
        sentences.append(rng.choice(_VERDICTS[rating]).format(item=item))
    if rng.random() < 0.35:
        sentences.append(rng.choice(_CLOSERS[rating]).format(item=item))

    summary = _summary(rng, rating, remarks)
    return rating, summary, " ".join(sentences)


def _summary(rng: random.Random, rating: int, remarks: list[tuple[_Attribute, bool]]) -> str:
    praised = [attribute for attribute, positive in remarks if positive]
    criticised = [attribute for attribute, positive in remarks if not positive]
    roll = rng.random()
    if praised and criticised and rating >= 2 and roll < 0.4:
        return f"{rng.choice(praised[0].praise)}, {_lower_first(rng.choice(criticised[0].complaint))}"
    if roll < 0.7:
        # Title the review after a remark that agrees with the stars.
        if rating >= 4 and praised:
            return rng.choice(rng.choice(praised).praise)
        if rating <= 2 and criticised:
            return rng.choice(rng.choice(criticised).complaint)
    return rng.choice(_SUMMARIES[rating])


def _helpful_votes(rng: random.Random, rating: int, text: str) -> int:
    # Mostly zero; long and critical reviews collect more votes; a few collect hundreds.
    chance = 0.2 + min(len(text), 600) / 1500 + (0.1 if rating <= 2 else 0.0)
    if rng.random() >= chance:
        return 0
    return min(int(rng.paretovariate(1.2)), 5000)


def _make_reviews(
    rng: random.Random, asin: str, hidden: _HiddenProduct, count: int, seed_key: int
) -> Iterator[ReviewRecord]:
    used_reviewers = set()  # one review per reviewer and product (a database constraint)
    span = _END - hidden.launched_at
    for _ in range(count):
        # Squaring skews draws toward low numbers, so some reviewers review many products.
        reviewer = int(_REVIEWER_POOL * rng.random() ** 2)
        while reviewer in used_reviewers:
            reviewer = rng.randrange(_REVIEWER_POOL)
        used_reviewers.add(reviewer)

        rating, summary, text = _write_review(rng, hidden)
        if rng.random() < _TYPO_RATE:
            text = _add_typo(rng, text)
        # Reviews bunch up after launch and thin out over the years.
        reviewed_at = hidden.launched_at + span * rng.random() ** 1.5
        yield ReviewRecord(
            asin=asin,
            reviewer_id=_reviewer_id(seed_key, reviewer),
            rating=rating,
            reviewer_name=_reviewer_name(seed_key, reviewer),
            summary=summary,
            text=text,
            helpful_votes=_helpful_votes(rng, rating, text),
            verified=rng.random() < 0.88,
            reviewed_at=datetime.fromtimestamp(int(reviewed_at), tz=timezone.utc),
        )


def generate(
    products: int = 300, seed: int = 2026, mean_reviews: float = 10.0
) -> Iterator[ProductRecord | ReviewRecord]:
    """Yield each ProductRecord immediately followed by its ReviewRecords. Deterministic for (products, seed, mean_reviews).

    Memory use does not grow with ``products``. The first ``n`` products (and their reviews) are the
    same for any ``products >= n``, and the products themselves do not depend on ``mean_reviews``.
    """
    if not 0 <= products <= MAX_PRODUCTS:
        raise ValueError(f"products must be between 0 and {MAX_PRODUCTS}, not {products}")
    if mean_reviews < 0:
        raise ValueError(f"mean_reviews must not be negative, not {mean_reviews}")
    seed_key = _mix64(seed & _MASK64)
    for index in range(products):
        # A string seed is hashed (SHA-512) by random.Random, so every (seed, index) gets its own stream.
        rng = random.Random(f"amazen-demo:{seed}:{index}")
        product, hidden = _make_product(index, rng)
        yield product
        count = _review_count(rng, mean_reviews)
        yield from _make_reviews(rng, product.asin, hidden, count, seed_key)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    products = int(args[0]) if args else 300
    seed = int(args[1]) if len(args) > 1 else 2026

    started = time.perf_counter()
    product_count = 0
    review_count = 0
    ratings = Counter()
    categories = Counter()
    for record in generate(products=products, seed=seed):
        if isinstance(record, ProductRecord):
            product_count += 1
            categories[" > ".join(record.categories[0])] += 1
        else:
            review_count += 1
            ratings[record.rating] += 1
    elapsed = time.perf_counter() - started

    print(f"products: {product_count}  reviews: {review_count}  seed: {seed}")
    for stars in range(5, 0, -1):
        share = ratings[stars] / review_count if review_count else 0.0
        print(f"  {stars} stars: {ratings[stars]:>9}  {share:6.1%}")
    for name, count in categories.most_common():
        print(f"  {name}: {count}")
    rate = review_count / elapsed if elapsed else 0.0
    print(f"time: {elapsed:.2f}s  ({rate:,.0f} reviews/s)")


if __name__ == "__main__":
    main()
