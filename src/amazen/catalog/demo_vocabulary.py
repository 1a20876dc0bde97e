"""The demo catalog's vocabulary: categories, brands, title and description templates, review sentences.

Data only; ``amazen.catalog.demo`` holds the generator that draws from it. Templates use ``str.format``
fields: ``{item}`` is the category's "these headphones" / "this knife", and the other names in a
category's templates (``{hours}``, ``{brand}``, ``{model}``, ...) come from its ``fields`` and the
product being generated.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attribute:
    """One aspect reviewers talk about, with sentences and summary phrases for both polarities."""

    name: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]  # many use negations ("not comfortable at all") on purpose
    praise: tuple[str, ...]  # short review titles, e.g. "Great sound"
    complaint: tuple[str, ...]  # e.g. "Not comfortable"


@dataclass(frozen=True)
class Category:
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
    attributes: tuple[Attribute, ...]
    also_in: tuple[tuple[str, ...], ...] = ()  # secondary category paths some products also get


HEADPHONES = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

SPEAKERS = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

KNIVES = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

COFFEE_MAKERS = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

BACKPACKS = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

WATER_BOTTLES = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

OFFICE_CHAIRS = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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

RUNNING_SHOES = Category(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
        Attribute(
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
    HEADPHONES,
    SPEAKERS,
    KNIVES,
    COFFEE_MAKERS,
    BACKPACKS,
    WATER_BOTTLES,
    OFFICE_CHAIRS,
    RUNNING_SHOES,
)

MODEL_NUMBERS = (1, 2, 3, 5, 7, 10, 20, 30, 35, 45, 50, 60, 100, 200, 300, 450, 500, 700, 900)
MODEL_SUFFIXES = (" Pro", " Max", " Lite", " Plus", " II", " SE")

# Sentences that fit any product; {item} is the category's "these headphones" / "this knife".
OPENERS = (
    "I bought {item} about a month ago.",
    "I've been using {item} every day for two weeks now.",
    "I did a lot of research before buying {item}.",
    "This is my second purchase from this brand.",
    "I got {item} on sale.",
    "My wife picked out {item}.",
    "I've had {item} for about six months.",
    "Update after three months of use.",
)
FILLERS = (
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
VERDICTS = (
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
CLOSERS = (
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
SUMMARIES = (
    (),
    ("Waste of money", "Junk", "Returned it", "Do not buy", "Terrible", "One star"),
    ("Disappointed", "Not great", "Meh", "Expected better"),
    ("It's okay", "Decent", "Mixed feelings", "Average", "Just ok"),
    ("Very good", "Pretty good", "Solid choice", "Great value", "Four Stars"),
    ("Love it!", "Five Stars", "Excellent", "Highly recommend", "Perfect", "Exactly as described"),
)
DEFECT_SUMMARIES = (
    "Defective",
    "Stopped working",
    "Arrived broken",
    "Broke after two weeks",
    "Quality control issues",
)

# Misspellings real reviews contain, as (right, wrong) pairs; the generator puts one into a few reviews.
TYPOS = (
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

FIRST_NAMES = tuple(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Lisa Matt Nancy Anthony Betty Mark Sandra "
    "Steven Ashley Paul Emily Andrew Kimberly Josh Donna Kevin Michelle Brian Carol Jason Amanda Ryan "
    "Melissa Eric Stephanie Jacob Rebecca Gary Laura Tyler Megan Aaron Rachel Jose Maria Wei Priya "
    "Ahmed Yuki".split()
)
LAST_NAMES = tuple(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor "
    "Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright "
    "Nguyen Patel".split()
)
