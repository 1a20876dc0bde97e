"""baseline: the whole schema (extensions, the catalog, the search index and its views)

Revision ID: 0001_baseline
Revises:

The statements are this revision's own, as a migration's must be: the models (amazen.models) describe the
same schema, and tests/functional/test_migrations.py checks that the two agree, views included.
"""

from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

# pg_trgm: the vocabulary's trigram index, for spelling suggestions. unaccent: accent folding in SQL.
# The embedded server and the official PostgreSQL image both ship these contrib extensions.
EXTENSIONS = ("pg_trgm", "unaccent")

# Shopper accounts (before the catalog: a review written on the site belongs to one). An address is
# unique whatever its case; the password is stored only as its argon2id hash. A signed-in session is a
# row keyed by its token's SHA-256 (the token itself is only in the browser's cookie): deleting the row
# ends the session.
ACCOUNTS = """
CREATE TABLE users (
    id serial NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    is_moderator boolean NOT NULL DEFAULT false,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_users PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email));

CREATE TABLE user_sessions (
    token_hash bytea NOT NULL,
    user_id integer NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    last_seen_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_user_sessions PRIMARY KEY (token_hash),
    CONSTRAINT fk_user_sessions_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_user_sessions_user_id ON user_sessions (user_id);
CREATE INDEX ix_user_sessions_last_seen_at ON user_sessions (last_seen_at);
"""

# The catalog: products, their reviews, and the category tree they sit in.
CATALOG = """
CREATE TABLE categories (
    id serial NOT NULL,
    parent_id integer,
    slug text NOT NULL,
    path text NOT NULL,
    name text NOT NULL,
    depth smallint NOT NULL DEFAULT 0,
    CONSTRAINT pk_categories PRIMARY KEY (id),
    CONSTRAINT uq_categories_path UNIQUE (path),
    CONSTRAINT fk_categories_parent_id_categories FOREIGN KEY (parent_id) REFERENCES categories (id) ON DELETE CASCADE
);
CREATE INDEX ix_categories_parent_id ON categories (parent_id);

CREATE TABLE products (
    id serial NOT NULL,
    asin text NOT NULL,
    title text,
    brand text,
    price numeric(12, 2),
    description text,
    features text[] NOT NULL DEFAULT '{}',
    image_url text,
    review_count integer NOT NULL DEFAULT 0,
    rating_count integer NOT NULL DEFAULT 0,
    rating_average double precision,
    stars_1 integer NOT NULL DEFAULT 0,
    stars_2 integer NOT NULL DEFAULT 0,
    stars_3 integer NOT NULL DEFAULT 0,
    stars_4 integer NOT NULL DEFAULT 0,
    stars_5 integer NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    search_length double precision NOT NULL DEFAULT 0,
    search_categories integer[] NOT NULL DEFAULT '{}',
    CONSTRAINT pk_products PRIMARY KEY (id),
    CONSTRAINT uq_products_asin UNIQUE (asin),
    CONSTRAINT ck_products_price_not_negative CHECK (price IS NULL OR price >= 0)
);
CREATE INDEX ix_products_price_id ON products (price, id);
CREATE INDEX ix_products_rating_average_id ON products (rating_average DESC NULLS LAST, id);
CREATE INDEX ix_products_review_count_id ON products (review_count DESC, id);
CREATE INDEX ix_products_title_id ON products (title, id);

CREATE TABLE product_categories (
    product_id integer NOT NULL,
    category_id integer NOT NULL,
    CONSTRAINT pk_product_categories PRIMARY KEY (product_id, category_id),
    CONSTRAINT fk_product_categories_category_id_categories FOREIGN KEY (category_id) REFERENCES categories (id)
        ON DELETE CASCADE,
    CONSTRAINT fk_product_categories_product_id_products FOREIGN KEY (product_id) REFERENCES products (id)
        ON DELETE CASCADE
);
CREATE INDEX ix_product_categories_category_id_product_id ON product_categories (category_id, product_id);

CREATE TABLE reviews (
    id bigserial NOT NULL,
    product_id integer NOT NULL,
    reviewer_id text,
    user_id integer,
    reviewer_name text,
    rating smallint,
    summary text,
    text text,
    helpful_votes integer NOT NULL DEFAULT 0,
    verified boolean NOT NULL DEFAULT false,
    reviewed_at timestamp with time zone,
    hidden_at timestamp with time zone,
    hidden_by integer,
    CONSTRAINT pk_reviews PRIMARY KEY (id),
    CONSTRAINT uq_reviews_product_id_reviewer_id UNIQUE (product_id, reviewer_id),
    CONSTRAINT ck_reviews_helpful_votes_not_negative CHECK (helpful_votes >= 0),
    CONSTRAINT ck_reviews_rating_stars CHECK (rating BETWEEN 1 AND 5),
    -- imported (a dataset's reviewer id) or written on the site (an account), never both
    CONSTRAINT ck_reviews_imported_or_written CHECK ((reviewer_id IS NULL) <> (user_id IS NULL)),
    CONSTRAINT fk_reviews_product_id_products FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT fk_reviews_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_reviews_hidden_by_users FOREIGN KEY (hidden_by) REFERENCES users (id) ON DELETE SET NULL
);
-- One review per account and product; imported reviews (no account) stay out of it.
CREATE UNIQUE INDEX uq_reviews_user_id_product_id ON reviews (user_id, product_id) WHERE user_id IS NOT NULL;
"""

# Shopper accounts, part two: their "helpful" votes on reviews (after the reviews they point at).
REVIEW_VOTES = """
CREATE TABLE review_votes (
    review_id bigint NOT NULL,
    user_id integer NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_review_votes PRIMARY KEY (review_id, user_id),
    CONSTRAINT fk_review_votes_review_id_reviews FOREIGN KEY (review_id) REFERENCES reviews (id) ON DELETE CASCADE,
    CONSTRAINT fk_review_votes_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_review_votes_user_id ON review_votes (user_id);
"""

# The search index. Terms and phrases are in the C collation (byte order, the same on every server, and
# keys that sort by memcmp). The derived tables have no foreign keys: a full rebuild swaps in new ones.
SEARCH = """
CREATE TABLE product_postings (
    product_id integer NOT NULL,
    length double precision NOT NULL,
    postings text COLLATE "C" NOT NULL,
    CONSTRAINT pk_product_postings PRIMARY KEY (product_id)
);

CREATE TABLE product_term_stats (
    term text COLLATE "C" NOT NULL,
    products integer NOT NULL,
    CONSTRAINT pk_product_term_stats PRIMARY KEY (term)
);

CREATE TABLE product_evidence (
    product_id integer NOT NULL,
    evidence text COLLATE "C" NOT NULL,
    CONSTRAINT pk_product_evidence PRIMARY KEY (product_id)
);

CREATE TABLE search_stats (
    id smallserial NOT NULL,
    documents integer NOT NULL,
    average_length double precision NOT NULL,
    mean_rating double precision NOT NULL,
    reviews bigint NOT NULL DEFAULT '0',
    rating_points bigint NOT NULL DEFAULT '0',
    ratings bigint NOT NULL DEFAULT '0',
    CONSTRAINT pk_search_stats PRIMARY KEY (id)
);

CREATE TABLE term_stats (
    term text COLLATE "C" NOT NULL,
    products integer NOT NULL,
    mentions bigint NOT NULL,
    positive bigint NOT NULL,
    CONSTRAINT pk_term_stats PRIMARY KEY (term)
);

CREATE TABLE product_vocabulary (
    product_id integer NOT NULL,
    phrases text COLLATE "C" NOT NULL,
    CONSTRAINT pk_product_vocabulary PRIMARY KEY (product_id)
);

CREATE TABLE phrase_counts (
    phrase text COLLATE "C" NOT NULL,
    products integer NOT NULL,
    named integer NOT NULL,
    CONSTRAINT pk_phrase_counts PRIMARY KEY (phrase)
);

CREATE TABLE vocabulary (
    phrase text NOT NULL,
    words smallint NOT NULL,
    products integer NOT NULL,
    CONSTRAINT pk_vocabulary PRIMARY KEY (phrase)
);
CREATE INDEX ix_vocabulary_prefix1 ON vocabulary (left(phrase, 1), products DESC, phrase);
CREATE INDEX ix_vocabulary_prefix2 ON vocabulary (left(phrase, 2), products DESC, phrase);
CREATE INDEX ix_vocabulary_trigram ON vocabulary USING gin (phrase gin_trgm_ops) WHERE words = 1;

CREATE TABLE brands (
    id serial NOT NULL,
    name text NOT NULL,
    CONSTRAINT pk_brands PRIMARY KEY (id),
    CONSTRAINT uq_brands_name UNIQUE (name)
);
CREATE INDEX ix_brands_lower_name ON brands (lower(name));
"""

# The packed index. Its arrays are stored uncompressed: decompressing them on every read would cost more
# than the disk they save.
PACKED = """
CREATE TABLE packed_terms (
    term text COLLATE "C" NOT NULL,
    block integer NOT NULL,
    entries bytea NOT NULL,
    records bytea NOT NULL,
    category_ids bytea NOT NULL,
    CONSTRAINT pk_packed_terms PRIMARY KEY (term, block)
);
ALTER TABLE packed_terms ALTER entries SET STORAGE EXTERNAL, ALTER records SET STORAGE EXTERNAL,
    ALTER category_ids SET STORAGE EXTERNAL;

CREATE TABLE packed_evidence (
    term text COLLATE "C" NOT NULL,
    block integer NOT NULL,
    entries bytea NOT NULL,
    records bytea NOT NULL,
    category_ids bytea NOT NULL,
    CONSTRAINT pk_packed_evidence PRIMARY KEY (term, block)
);
ALTER TABLE packed_evidence ALTER entries SET STORAGE EXTERNAL, ALTER records SET STORAGE EXTERNAL,
    ALTER category_ids SET STORAGE EXTERNAL;

CREATE TABLE packed_facts (
    block integer NOT NULL,
    ids bytea NOT NULL,
    records bytea NOT NULL,
    category_ids bytea NOT NULL,
    CONSTRAINT pk_packed_facts PRIMARY KEY (block)
);
ALTER TABLE packed_facts ALTER ids SET STORAGE EXTERNAL, ALTER records SET STORAGE EXTERNAL,
    ALTER category_ids SET STORAGE EXTERNAL;
"""

# Limits: the abuse limits' hits (amazen.limits), one row per counted hit, shared by every app process.
# A key's hits in a window are one range of the primary key; the index on at serves the sweep of old hits.
LIMITS = """
CREATE TABLE rate_limit_hits (
    name text NOT NULL,
    key text NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT pk_rate_limit_hits PRIMARY KEY (name, key, at)
);
CREATE INDEX ix_rate_limit_hits_at ON rate_limit_hits (at);
"""

# The one-row-per-product tables as rows a statement can join (the application's copy of these
# definitions, which a full rebuild uses to make the views again, is amazen.models.search.VIEWS).
VIEWS = {
    # product_postings as (term, product_id, tf, length).
    "product_terms": """
SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::float8 AS tf, p.length
FROM product_postings p, string_to_table(p.postings, E'\\n') line""",
    # product_evidence as (term, product_id, mentions, positive, negative, rated, stars_sum, stars_1 ...
    # stars_5, quote_1, quote_2).
    "descriptor_evidence": """
SELECT term, product_id, mentions, positive, negative, stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM (SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::int AS mentions,
             split_part(line, E'\\t', 3)::int AS positive, split_part(line, E'\\t', 4)::int AS negative,
             split_part(line, E'\\t', 5)::int AS stars_1, split_part(line, E'\\t', 6)::int AS stars_2,
             split_part(line, E'\\t', 7)::int AS stars_3, split_part(line, E'\\t', 8)::int AS stars_4,
             split_part(line, E'\\t', 9)::int AS stars_5, NULLIF(split_part(line, E'\\t', 10), '')::bigint AS quote_1,
             NULLIF(split_part(line, E'\\t', 11), '')::bigint AS quote_2
      FROM product_evidence p, string_to_table(p.evidence, E'\\n') line) lines""",
    # product_vocabulary as (phrase, product_id, named).
    "product_phrases": """
SELECT split_part(line, E'\\t', 1) AS phrase, p.product_id, split_part(line, E'\\t', 2) = 't' AS named
FROM product_vocabulary p, string_to_table(p.phrases, E'\\n') line""",
}

TABLES = (
    "packed_facts",
    "packed_evidence",
    "packed_terms",
    "brands",
    "vocabulary",
    "phrase_counts",
    "product_vocabulary",
    "term_stats",
    "search_stats",
    "product_evidence",
    "product_term_stats",
    "product_postings",
    "review_votes",
    "reviews",
    "user_sessions",
    "users",
    "product_categories",
    "products",
    "categories",
)


def upgrade():
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.execute(ACCOUNTS)
    op.execute(CATALOG)
    op.execute(REVIEW_VOTES)
    op.execute(SEARCH)
    op.execute(PACKED)
    op.execute(LIMITS)  # limits
    for name, select in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def downgrade():
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")
    op.execute(f"DROP TABLE {', '.join(TABLES)}")
    op.execute("DROP TABLE rate_limit_hits")  # limits
    for extension in reversed(EXTENSIONS):
        op.execute(f"DROP EXTENSION {extension}")
